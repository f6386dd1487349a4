"""A stored week of net moves brought up to date with the few accounts whose tier changed since.

A run stores the week's net moves (WeekMoves) as read up to one tier change id. Everything
the review shows adds up over accounts, so for the accounts with a change after that id the
week is the stored one, less their net moves up to the id, plus their net moves now. The
movers are not a sum: the run keeps each scheme's STORED_MOVERS biggest, so the accounts
that did not change still fill the top of the list unless too many of them changed.
"""

from typing import NamedTuple

import pandas as pd

from cstier.domain.reports.net_moves import MOVER_COLUMNS, PAIR_COLUMNS, WeekMoves
from cstier.domain.reports.tier_review import TOP_MOVERS

# Each scheme's biggest movers a run stores: the top ten stay known while at most 190 of
# them change before the next run.
STORED_MOVERS = 200


def moves_to_stored(moves: WeekMoves) -> dict:
    """Return the week's net moves as plain JSON, the shape moves_from_stored reads back."""
    return {
        "pairs": [_plain(row) for row in moves.pairs[PAIR_COLUMNS].itertuples(index=False)],
        "movers": [_plain(row) for row in moves.movers[MOVER_COLUMNS].itertuples(index=False)],
        "accounts": int(moves.accounts),
        "tiered_then_moved": {str(k): int(v) for k, v in moves.tiered_then_moved.items()},
    }


def moves_from_stored(stored: dict) -> WeekMoves:
    """Return the net moves moves_to_stored wrote; KeyError, TypeError or ValueError if another shape."""
    return WeekMoves.from_rows(
        [tuple(row) for row in stored["pairs"]],
        [tuple(row) for row in stored["movers"]],
        int(stored["accounts"]),
        {int(k): int(v) for k, v in stored["tiered_then_moved"].items()},
    )


def moves_with_changes(
    stored: WeekMoves,
    changes: pd.DataFrame,
    last_change_id: int,
    top_n: int = TOP_MOVERS,
    depth: int = STORED_MOVERS,
) -> WeekMoves | None:
    """Return the stored week with the accounts changed after last_change_id brought up to date.

    `changes` holds every change of the week (net_moves.CHANGE_COLUMNS and account_name) of
    at least the accounts with a change after last_change_id, their ARR and names as now.
    `stored` was read up to last_change_id with `depth` movers per scheme. Returns None when
    the result cannot be known: too many of a scheme's stored movers changed, or the stored
    week does not hold what the changes say it held.
    """
    ordered = changes.sort_values(["at", "change_id"], kind="stable")
    # Plain values column by column: iterating pandas' timestamps row by row cost most.
    rows = [
        Change(*row) for row in zip(*(ordered[c].tolist() for c in Change._fields), strict=True)
    ]
    changed = {row.account_id for row in rows if row.change_id > last_change_id}
    mine = [row for row in rows if row.account_id in changed]
    before = _net([row for row in mine if row.change_id <= last_change_id])
    after = _net(mine)
    pairs = {
        (int(p.scheme_id), None if pd.isna(p.from_tier) else p.from_tier, p.to_tier): [
            int(p.accounts),
            int(p.arr_cents),
            int(p.rows),
            int(p.moves),
        ]
        for p in stored.pairs.itertuples(index=False)
    }
    tiered_then_moved = dict(stored.tiered_then_moved)
    for net, sign in ((before, -1), (after, 1)):
        for key in net:
            totals = pairs.setdefault((key.scheme_id, key.from_tier, key.to_tier), [0, 0, 0, 0])
            for position, value in enumerate((1, key.arr_cents, key.rows, key.moves)):
                totals[position] += sign * value
            tiered_then_moved[key.scheme_id] = (
                tiered_then_moved.get(key.scheme_id, 0) + sign * key.firsts
            )
    counts = [*(v for totals in pairs.values() for v in totals), *tiered_then_moved.values()]
    emptied = [totals for totals in pairs.values() if not totals[0]]
    if min(counts, default=0) < 0 or any(any(totals) for totals in emptied):
        return None
    movers = _movers(stored.movers, changed, _moved(after), top_n, depth)
    if movers is None:
        return None
    accounts = stored.accounts - len({k.account_id for k in _moved(before)})
    return WeekMoves.from_rows(
        [(*key, *totals) for key, totals in pairs.items() if totals[0]],
        movers,
        accounts + len({k.account_id for k in _moved(after)}),
        tiered_then_moved,
    )


class Change(NamedTuple):
    """One tier change as the delta reads it (CHANGE_COLUMNS and account_name)."""

    change_id: int
    account_id: int
    scheme_id: int
    from_tier: str | None
    to_tier: str
    arr_cents: int | None
    account_name: str | None


class NetMove(NamedTuple):
    """One key's net move in the week, or one first tiering of a key that did not move."""

    scheme_id: int
    account_id: int
    from_tier: str | None
    to_tier: str
    arr_cents: int
    account_name: str | None
    rows: int
    moves: int
    firsts: int


def _net(changes: list[Change]) -> list[NetMove]:
    """Return net_moves' rows for a few accounts' changes in (at, id) order, in plain Python.

    A few thousand rows at most: pandas' per-call cost was most of the page's delta here.
    """
    keys: dict[tuple[int, int], list[Change]] = {}
    for change in changes:
        keys.setdefault((change.scheme_id, change.account_id), []).append(change)
    out = []
    for (scheme_id, account_id), rows in keys.items():
        moves = [row for row in rows if not _missing(row.from_tier)]
        firsts = [row for row in rows if _missing(row.from_tier)]
        if moves:
            last = moves[-1]
            out.append(
                NetMove(
                    scheme_id,
                    account_id,
                    moves[0].from_tier,
                    last.to_tier,
                    _cents(last.arr_cents),
                    last.account_name,
                    len(moves),
                    len(moves),
                    len(firsts),
                )
            )
            continue
        out += [
            NetMove(
                scheme_id,
                account_id,
                None,
                row.to_tier,
                _cents(row.arr_cents),
                row.account_name,
                1,
                0,
                0,
            )
            for row in firsts
        ]
    return out


def _missing(value) -> bool:
    return value is None or value != value  # None, or NaN where pandas filled a gap


def _cents(value) -> int:
    return 0 if _missing(value) else int(value)


def _moved(net: list[NetMove]) -> list[NetMove]:
    """Return the keys whose tier changed over the week (first tierings and returns apart)."""
    return [key for key in net if key.from_tier is not None and key.from_tier != key.to_tier]


def _movers(
    stored: pd.DataFrame, changed: set[int], moved: list[NetMove], top_n: int, depth: int
) -> list[tuple] | None:
    """Return each scheme's top_n movers: the stored ones of unchanged accounts and the changed."""
    full: dict[int, int] = {}
    rows = []
    for row in zip(*(stored[c].tolist() for c in MOVER_COLUMNS), strict=True):
        full[row[0]] = full.get(row[0], 0) + 1
        if row[1] not in changed:
            rows.append(row)
    left: dict[int, int] = {}
    for row in rows:
        left[row[0]] = left.get(row[0], 0) + 1
    for scheme_id, count in full.items():
        # A full stored list ends above unstored movers: what is left must still cover top_n.
        if count >= depth and left.get(scheme_id, 0) < top_n:
            return None
    rows += [
        (m.scheme_id, m.account_id, m.account_name, m.from_tier, m.to_tier, m.arr_cents)
        for m in moved
    ]
    rows.sort(key=lambda m: (m[0], -m[5], m[1]))
    out, shown = [], {}
    for row in rows:
        scheme_id = row[0]
        if shown.get(scheme_id, 0) < top_n:
            shown[scheme_id] = shown.get(scheme_id, 0) + 1
            out.append(row)
    return out


def _plain(row: tuple) -> list:
    """Return a row's values as JSON takes them: ints, text or None."""
    return [
        None
        if value is None or (not isinstance(value, str) and pd.isna(value))
        else value
        if isinstance(value, str)
        else int(value)
        for value in row
    ]
