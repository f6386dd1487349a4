"""A stored week of net moves brought up to date with the few accounts whose tier changed since.

A run stores the week's net moves (WeekMoves) as read up to one tier change id. Everything
the review shows adds up over accounts, so for the accounts with a change after that id the
week is the stored one, less their net moves up to the id, plus their net moves now. The
movers are not a sum: the run keeps each scheme's STORED_MOVERS biggest, so the accounts
that did not change still fill the top of the list unless too many of them changed.
"""

import pandas as pd

from cstier.domain.reports.net_moves import MOVER_COLUMNS, PAIR_COLUMNS, WeekMoves, net_moves
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
    changed = set(changes.loc[changes["change_id"] > last_change_id, "account_id"].astype(int))
    mine = changes[changes["account_id"].astype(int).isin(changed)]
    before = net_moves(mine[mine["change_id"] <= last_change_id])
    after = net_moves(mine)
    pairs = _pair_totals(stored.pairs.itertuples(index=False))
    for net, sign in ((before, -1), (after, 1)):
        for row in net.itertuples(index=False):
            totals = pairs.setdefault(_pair_key(row), [0, 0, 0, 0])
            for position, value in enumerate((1, row.arr_cents, row.rows, row.moves)):
                totals[position] += sign * int(value)
    if any(value < 0 for totals in pairs.values() for value in totals):
        return None
    tiered_then_moved = dict(stored.tiered_then_moved)
    for net, sign in ((before, -1), (after, 1)):
        for scheme_id, firsts in net.groupby("scheme_id")["firsts"].sum().items():
            key = int(scheme_id)
            tiered_then_moved[key] = tiered_then_moved.get(key, 0) + sign * int(firsts)
    if any(value < 0 for value in tiered_then_moved.values()):
        return None
    movers = _movers(stored.movers, changed, _moved(after), top_n, depth)
    if movers is None:
        return None
    accounts = stored.accounts - _moved(before)["account_id"].nunique()
    return WeekMoves.from_rows(
        [(*key, *totals) for key, totals in pairs.items() if totals[0]],
        movers,
        accounts + _moved(after)["account_id"].nunique(),
        tiered_then_moved,
    )


def _pair_key(row) -> tuple:
    from_tier = None if pd.isna(row.from_tier) else row.from_tier
    return int(row.scheme_id), from_tier, row.to_tier


def _pair_totals(rows) -> dict[tuple, list[int]]:
    """Return the stored pairs as {(scheme_id, from_tier, to_tier): [accounts, ARR, rows, moves]}."""
    return {
        _pair_key(row): [int(row.accounts), int(row.arr_cents), int(row.rows), int(row.moves)]
        for row in rows
    }


def _moved(net: pd.DataFrame) -> pd.DataFrame:
    """Return the keys whose tier changed over the week (first tierings and returns apart)."""
    return net[net["from_tier"].notna() & (net["from_tier"] != net["to_tier"])]


def _movers(
    stored: pd.DataFrame, changed: set[int], moved: pd.DataFrame, top_n: int, depth: int
) -> list[tuple] | None:
    """Return each scheme's top_n movers: the stored ones of unchanged accounts and the changed."""
    kept = stored[~stored["account_id"].astype(int).isin(changed)]
    full = stored["scheme_id"].value_counts()
    left = kept["scheme_id"].value_counts()
    for scheme_id, count in full.items():
        # A full stored list ends above unstored movers: what is left must still cover top_n.
        if count >= depth and left.get(scheme_id, 0) < top_n:
            return None
    rows = [tuple(row) for row in kept[MOVER_COLUMNS].itertuples(index=False)]
    rows += [tuple(row) for row in moved[MOVER_COLUMNS].itertuples(index=False)]
    rows.sort(key=lambda m: (int(m[0]), -int(m[5]), int(m[1])))
    out, shown = [], {}
    for row in rows:
        scheme_id = int(row[0])
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
