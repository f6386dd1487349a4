"""The weekly tier review: who moved up, down or into a tier, and how much ARR moved.

An account that moves twice in a week counts once, by its net move. A first tiering is not
a change of tier: an account first tiered in the week counts as newly tiered, or, if it
moved again that week, by its move from the tier it was first given, as Alerts lists it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from cstier.domain.reports.net_moves import WeekMoves, week_moves
from cstier.domain.tiering.diff import NO_TIER, ordered_matrix

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
    pairs = moves.pairs.assign(direction=_directions(moves.pairs, known))
    movers = moves.movers.assign(direction=_directions(moves.movers, known))
    movements = [
        _scheme_movement(
            scheme,
            pairs[pairs["scheme_id"] == scheme.scheme_id],
            movers[movers["scheme_id"] == scheme.scheme_id],
            top_n,
        )
        for scheme in known.values()
    ]
    accounts = pairs.groupby("direction")["accounts"].sum()
    review = TierReview(
        schemes=movements,
        top_movers=_movers(movers, known, top_n),
        lines=[],
        changes=int(pairs["moves"].sum()),
        accounts=moves.accounts,
        up=int(accounts.get(UP, 0)),
        down=int(accounts.get(DOWN, 0)),
        new=int(accounts.get(NEW, 0)),
        moved=int(accounts.get(MOVED, 0)),
        arr_up_cents=sum(m.arr_up_cents for m in movements),
        arr_down_cents=sum(m.arr_down_cents for m in movements),
    )
    review.lines = summary_lines(review)
    return review


def _directions(moves: pd.DataFrame, schemes: dict[int, SchemeTiers]) -> pd.Series:
    """Classify every from→to move, vectorised per scheme."""
    result = pd.Series(MOVED, index=moves.index, dtype=object)
    for scheme_id, part in moves.groupby("scheme_id", sort=False):
        scheme = schemes[int(scheme_id)]
        rank = {tier: position for position, tier in enumerate(scheme.tiers)}
        from_rank = part["from_tier"].map(rank).astype(float).to_numpy()
        to_rank = part["to_tier"].map(rank).astype(float).to_numpy()
        ranked = scheme.ranked & ~np.isnan(from_rank) & ~np.isnan(to_rank)
        labels = np.select(
            [
                part["from_tier"].isna().to_numpy(),
                (part["from_tier"] == part["to_tier"]).to_numpy(),
                ranked & (to_rank < from_rank),
                ranked & (to_rank > from_rank),
            ],
            [NEW, RETURNED, UP, DOWN],
            default=MOVED,
        )
        result.loc[part.index] = labels
    return result


def _scheme_movement(
    scheme: SchemeTiers, pairs: pd.DataFrame, movers: pd.DataFrame, top_n: int
) -> SchemeMovement:
    accounts = pairs.groupby("direction")["accounts"].sum()
    arr = pairs.groupby("direction")["arr_cents"].sum()
    moves = pairs[pairs["direction"] != RETURNED]
    matrix = ordered_matrix(
        pd.DataFrame(
            {
                "from_tier": moves["from_tier"].fillna(NO_TIER),
                "to_tier": moves["to_tier"].fillna(NO_TIER),
                "accounts": moves["accounts"],
                "arr_cents": moves["arr_cents"],
            }
        ),
        scheme.tiers,
    )
    return SchemeMovement(
        scheme_id=scheme.scheme_id,
        name=scheme.name,
        dimension=scheme.dimension,
        ranked=scheme.ranked,
        tiers=list(scheme.tiers),
        changes=int(pairs["rows"].sum()),
        up=int(accounts.get(UP, 0)),
        down=int(accounts.get(DOWN, 0)),
        new=int(accounts.get(NEW, 0)),
        moved=int(accounts.get(MOVED, 0)),
        returned=int(accounts.get(RETURNED, 0)),
        arr_up_cents=int(arr.get(UP, 0)),
        arr_down_cents=int(arr.get(DOWN, 0)),
        matrix=[
            {
                "from_tier": row.from_tier,
                "to_tier": row.to_tier,
                "accounts": int(row.accounts),
                "arr_cents": int(row.arr_cents),
            }
            for row in matrix.itertuples(index=False)
        ],
        top_movers=_movers(movers, {scheme.scheme_id: scheme}, top_n),
    )


def _movers(movers: pd.DataFrame, schemes: dict[int, SchemeTiers], top_n: int) -> list[dict]:
    """Return the biggest moves by ARR (not first tierings), ties by account id."""
    moves = movers[movers["direction"].isin((UP, DOWN, MOVED))]
    moves = moves.sort_values(
        ["arr_cents", "account_id", "scheme_id"], ascending=[False, True, True]
    )
    return [
        {
            "account_id": int(row.account_id),
            "account_name": None if pd.isna(row.account_name) else str(row.account_name),
            "scheme_id": int(row.scheme_id),
            "scheme_name": schemes[int(row.scheme_id)].name,
            "from_tier": row.from_tier,
            "to_tier": row.to_tier,
            "direction": row.direction,
            "arr_cents": int(row.arr_cents),
        }
        for row in moves.head(top_n).itertuples(index=False)
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
