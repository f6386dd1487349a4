"""The weekly tier review: who moved up, down or into a tier, and how much ARR moved.

An account that moves twice in a week counts once, by its net move. A first tiering is not
a change of tier: an account first tiered in the week counts as newly tiered, or, if it
moved again that week, by its move from the tier it was first given, as Alerts lists it.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from cstier.domain.reports.net_moves import WeekMoves, week_moves
from cstier.domain.tiering.diff import NO_TIER

# Value and needs tiers are ranked (first = highest); segments are categories, so a move
# between them is neither up nor down.
RANKED_DIMENSIONS = ("value", "needs")
UP, DOWN, NEW, MOVED, RETURNED = "up", "down", "new", "moved", "returned"
TOP_MOVERS = 10
# The week's totals a weekly report stores beside its schemes and top movers.
STORED_TOTALS = (
    "changes",
    "accounts",
    "up",
    "down",
    "new",
    "moved",
    "arr_up_cents",
    "arr_down_cents",
)


@dataclass(frozen=True)
class SchemeTiers:
    """A scheme as the review needs it: name, dimension and tiers, top tier first."""

    scheme_id: int
    name: str
    dimension: str
    tiers: tuple[str, ...] = ()

    @property
    def ranked(self) -> bool:
        """Whether its tiers have an order, so a move is up or down."""
        return self.dimension in RANKED_DIMENSIONS and bool(self.tiers)


@dataclass
class SchemeMovement:
    """One scheme's week: counts per direction, ARR moved, the from→to matrix, top movers."""

    scheme_id: int
    name: str
    dimension: str
    ranked: bool
    tiers: list[str]
    changes: int = 0
    up: int = 0
    down: int = 0
    new: int = 0
    moved: int = 0
    returned: int = 0
    arr_up_cents: int = 0
    arr_down_cents: int = 0
    matrix: list[dict] = field(default_factory=list)
    top_movers: list[dict] = field(default_factory=list)

    @property
    def accounts_changed(self) -> int:
        """Return how many accounts ended the week in a different tier (first tierings apart)."""
        return self.up + self.down + self.moved


@dataclass
class TierReview:
    """The whole week: one SchemeMovement per scheme, top movers, summary lines."""

    schemes: list[SchemeMovement]
    top_movers: list[dict]
    lines: list[str]
    changes: int = 0
    accounts: int = 0
    up: int = 0
    down: int = 0
    new: int = 0
    moved: int = 0
    arr_up_cents: int = 0
    arr_down_cents: int = 0

    @property
    def empty(self) -> bool:
        """Whether nothing changed tier this week and nothing was tiered for the first time."""
        return self.changes == 0 and self.new == 0


def direction(from_tier: str | None, to_tier: str, tiers: Iterable[str], dimension: str) -> str:
    """Return up, down, new, moved or returned for one move in a scheme."""
    if from_tier is None or (isinstance(from_tier, float) and np.isnan(from_tier)):
        return NEW
    if from_tier == to_tier:
        return RETURNED
    rank = {tier: position for position, tier in enumerate(tiers)}
    if dimension not in RANKED_DIMENSIONS or from_tier not in rank or to_tier not in rank:
        return MOVED
    return UP if rank[to_tier] < rank[from_tier] else DOWN


def build_tier_review(
    changes: pd.DataFrame, schemes: Iterable[SchemeTiers], top_n: int = TOP_MOVERS
) -> TierReview:
    """Summarise a week of tier changes per scheme, in the order the schemes are given.

    `changes` has one row per tier change of the week (net_moves.CHANGE_COLUMNS, plus an optional
    account_name); each scheme lists its tiers top tier first. An account's net move runs
    from its first change's from_tier to its last change's to_tier; one that ends where it
    started "returned".
    """
    return review_from_moves(week_moves(changes, top_n), schemes, top_n)


def review_from_moves(
    moves: WeekMoves, schemes: Iterable[SchemeTiers], top_n: int = TOP_MOVERS
) -> TierReview:
    """Summarise a week grouped into net moves (see WeekMoves), in the order schemes are given."""
    known = {s.scheme_id: s for s in schemes}
    for scheme_id in sorted(set(moves.pairs["scheme_id"])):
        known.setdefault(int(scheme_id), SchemeTiers(int(scheme_id), f"Scheme #{scheme_id}", ""))
    # A few hundred grouped rows at most: plain Python beats pandas' per-call cost here.
    pairs = _with_directions(moves.pairs.to_dict("records"), known)
    movers = _with_directions(moves.movers.to_dict("records"), known)
    movements = [
        _scheme_movement(
            scheme,
            [p for p in pairs if p["scheme_id"] == scheme.scheme_id],
            [m for m in movers if m["scheme_id"] == scheme.scheme_id],
            top_n,
            moves.tiered_then_moved.get(scheme.scheme_id, 0),
        )
        for scheme in known.values()
    ]
    accounts = _sum_by_direction(pairs, "accounts")
    review = TierReview(
        schemes=movements,
        top_movers=_movers(movers, known, top_n),
        lines=[],
        changes=sum(int(p["moves"]) for p in pairs),
        accounts=moves.accounts,
        up=accounts.get(UP, 0),
        down=accounts.get(DOWN, 0),
        new=accounts.get(NEW, 0),
        moved=accounts.get(MOVED, 0),
        arr_up_cents=sum(m.arr_up_cents for m in movements),
        arr_down_cents=sum(m.arr_down_cents for m in movements),
    )
    review.lines = summary_lines(review)
    return review


def _with_directions(rows: list[dict], schemes: dict[int, SchemeTiers]) -> list[dict]:
    """Return the rows (scheme_id, from_tier, to_tier, …) each with its move's direction."""
    ranks = {
        scheme_id: {tier: position for position, tier in enumerate(scheme.tiers)}
        for scheme_id, scheme in schemes.items()
    }
    for row in rows:
        scheme_id = int(row["scheme_id"])
        scheme, rank = schemes[scheme_id], ranks[scheme_id]
        from_tier, to_tier = row["from_tier"], row["to_tier"]
        if from_tier is None or (isinstance(from_tier, float) and np.isnan(from_tier)):
            row["direction"] = NEW
        elif from_tier == to_tier:
            row["direction"] = RETURNED
        elif scheme.ranked and from_tier in rank and to_tier in rank:
            row["direction"] = UP if rank[to_tier] < rank[from_tier] else DOWN
        else:
            row["direction"] = MOVED
    return rows


def _sum_by_direction(rows: list[dict], column: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["direction"]] = totals.get(row["direction"], 0) + int(row[column])
    return totals


def _scheme_movement(
    scheme: SchemeTiers,
    pairs: list[dict],
    movers: list[dict],
    top_n: int,
    tiered_then_moved: int,
) -> SchemeMovement:
    accounts = _sum_by_direction(pairs, "accounts")
    arr = _sum_by_direction(pairs, "arr_cents")
    order = {tier: position for position, tier in enumerate(scheme.tiers)}

    def position(tier: str) -> tuple:
        # Listed tiers in their order, then others alphabetically, "(none)" last.
        return (0, order[tier], "") if tier in order else (1 + (tier == NO_TIER), 0, tier)

    cells = [
        {
            "from_tier": p["from_tier"] if p["direction"] != NEW else NO_TIER,
            "to_tier": p["to_tier"],
            "accounts": int(p["accounts"]),
            "arr_cents": int(p["arr_cents"]),
        }
        for p in pairs
        if p["direction"] != RETURNED
    ]
    return SchemeMovement(
        scheme_id=scheme.scheme_id,
        name=scheme.name,
        dimension=scheme.dimension,
        ranked=scheme.ranked,
        tiers=list(scheme.tiers),
        changes=sum(int(p["rows"]) for p in pairs) + tiered_then_moved,
        up=accounts.get(UP, 0),
        down=accounts.get(DOWN, 0),
        new=accounts.get(NEW, 0),
        moved=accounts.get(MOVED, 0),
        returned=accounts.get(RETURNED, 0),
        arr_up_cents=arr.get(UP, 0),
        arr_down_cents=arr.get(DOWN, 0),
        matrix=sorted(cells, key=lambda c: (position(c["from_tier"]), position(c["to_tier"]))),
        top_movers=_movers(movers, {scheme.scheme_id: scheme}, top_n),
    )


def _movers(movers: list[dict], schemes: dict[int, SchemeTiers], top_n: int) -> list[dict]:
    """Return the biggest moves by ARR (not first tierings), ties by account id."""
    moves = [m for m in movers if m["direction"] in (UP, DOWN, MOVED)]
    moves.sort(key=lambda m: (-int(m["arr_cents"]), int(m["account_id"]), int(m["scheme_id"])))
    return [
        {
            "account_id": int(m["account_id"]),
            "account_name": None if pd.isna(m["account_name"]) else str(m["account_name"]),
            "scheme_id": int(m["scheme_id"]),
            "scheme_name": schemes[int(m["scheme_id"])].name,
            "from_tier": m["from_tier"],
            "to_tier": m["to_tier"],
            "direction": m["direction"],
            "arr_cents": int(m["arr_cents"]),
        }
        for m in moves[:top_n]
    ]


def summary_lines(review: TierReview) -> list[str]:
    """Return the review in a few sentences, one per scheme that changed."""
    if review.empty:
        return ["No tier changes in this week."]
    lines = [
        f"{review.accounts:,} {_plural(review.accounts, 'account')} changed tier "
        f"({review.changes:,} {_plural(review.changes, 'change')})"
        + (f"; {review.new:,} newly tiered." if review.new else ".")
    ]
    for scheme in review.schemes:
        parts = []
        if scheme.up:
            parts.append(f"{scheme.up:,} up ({money(scheme.arr_up_cents)} ARR)")
        if scheme.down:
            parts.append(f"{scheme.down:,} down ({money(scheme.arr_down_cents)} ARR)")
        if scheme.moved:
            parts.append(f"{scheme.moved:,} moved")
        if scheme.new:
            parts.append(f"{scheme.new:,} newly tiered")
        if scheme.returned:
            parts.append(f"{scheme.returned:,} moved and came back")
        if parts:
            lines.append(f"{scheme.name}: {', '.join(parts)}.")
    if review.top_movers:
        top = review.top_movers[0]
        who = top["account_name"] or f"Account #{top['account_id']}"
        lines.append(
            f"Biggest move: {who}, {top['from_tier']} → {top['to_tier']} in "
            f"{top['scheme_name']} ({money(top['arr_cents'])} ARR)."
        )
    return lines


def money(cents: int) -> str:
    """Format cents compactly as currency units: $1.2M, $450k, $900."""
    units = cents / 100
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(units) >= threshold:
            return f"${units / threshold:,.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"${units:,.0f}"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def review_to_stored(review: TierReview) -> dict:
    """Return the review as plain JSON, the shape review_from_stored reads back."""
    return {
        "lines": list(review.lines),
        "changes": review.changes,
        "accounts": review.accounts,
        "up": review.up,
        "down": review.down,
        "new": review.new,
        "moved": review.moved,
        "arr_up_cents": review.arr_up_cents,
        "arr_down_cents": review.arr_down_cents,
        "schemes": [{**asdict(s), "accounts_changed": s.accounts_changed} for s in review.schemes],
        "top_movers": [json_row(m) for m in review.top_movers],
    }


def json_row(row: dict) -> dict:
    """Return a row with times as ISO text (UTC) and numpy or pandas scalars as plain values."""
    out = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
            value = utc.isoformat()
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and pd.isna(value):
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out


def review_from_stored(section: dict) -> TierReview:
    """Return the review a weekly report stored (its `review` section) as a TierReview.

    Raises KeyError or TypeError when the section lacks a field the review shows, so a
    report stored in an older shape is computed afresh instead.
    """
    scheme_fields = {f.name for f in fields(SchemeMovement)}
    return TierReview(
        schemes=[
            SchemeMovement(**{name: s[name] for name in scheme_fields}) for s in section["schemes"]
        ],
        top_movers=[dict(m) for m in section["top_movers"]],
        lines=list(section["lines"]),
        **{name: section[name] for name in STORED_TOTALS},
    )
