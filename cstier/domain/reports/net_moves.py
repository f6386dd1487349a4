"""A week's net moves per (scheme, account), grouped into the few shapes the review is built from.

An account's net move runs from its first change's from_tier to its last change's to_tier,
changes ordered by (at, change id). A first tiering is not a change of tier: an account first
tiered and moved again in the week moves from the tier it was first given. The store computes
the same shapes in SQL; `week_moves` here is the reference on a frame of single changes.
"""

from dataclasses import dataclass

import pandas as pd

CHANGE_COLUMNS = ["change_id", "account_id", "scheme_id", "from_tier", "to_tier", "at", "arr_cents"]
KEYS = ["scheme_id", "account_id"]
# Per (scheme, net from_tier, to_tier): accounts, their ARR, their changes, those with a from tier.
PAIR_COLUMNS = ["scheme_id", "from_tier", "to_tier", "accounts", "arr_cents", "rows", "moves"]
MOVER_COLUMNS = ["scheme_id", "account_id", "account_name", "from_tier", "to_tier", "arr_cents"]


@dataclass
class WeekMoves:
    """The week grouped: net moves per from→to pair, the biggest movers, accounts that moved.

    `movers` holds, per scheme, the top_n accounts whose tier changed (from_tier set and
    different from to_tier) by ARR, largest first, ties by account id; `accounts` counts the
    distinct accounts that changed tier in any scheme.
    """

    pairs: pd.DataFrame
    movers: pd.DataFrame
    accounts: int

    @classmethod
    def from_rows(cls, pairs: list[tuple], movers: list[tuple], accounts: int) -> "WeekMoves":
        """Return the shapes from plain row tuples (PAIR_COLUMNS and MOVER_COLUMNS order)."""
        return cls(_frame(pairs, PAIR_COLUMNS), _frame(movers, MOVER_COLUMNS), int(accounts or 0))


def week_moves(changes: pd.DataFrame, top_n: int) -> WeekMoves:
    """Group a frame of the week's single changes (CHANGE_COLUMNS, optional account_name)."""
    net = net_moves(changes)
    moved = net[net["from_tier"].notna() & (net["from_tier"] != net["to_tier"])]
    movers = moved.sort_values(
        ["arr_cents", "account_id", "scheme_id"], ascending=[False, True, True]
    ).groupby("scheme_id", sort=False)
    pairs = net.groupby(["scheme_id", "from_tier", "to_tier"], dropna=False, sort=False).agg(
        accounts=("account_id", "size"),
        arr_cents=("arr_cents", "sum"),
        rows=("rows", "sum"),
        moves=("moves", "sum"),
    )
    return WeekMoves.from_rows(
        list(pairs.reset_index().itertuples(index=False, name=None)),
        list(movers.head(top_n)[MOVER_COLUMNS].itertuples(index=False, name=None)),
        moved["account_id"].nunique(),
    )


def net_moves(changes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (scheme, account): net from_tier, last to_tier, latest ARR, counts."""
    columns = [*KEYS, "from_tier", "to_tier", "arr_cents", "account_name", "rows", "moves"]
    if changes.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    ordered = changes
    order = [name for name in ("at", "change_id") if name in changes]
    if order:
        ordered = changes.sort_values(order, kind="stable")
    first_rows = ordered.drop_duplicates(KEYS, keep="first").set_index(KEYS)
    per_key = ordered.groupby(KEYS)
    rows = per_key.size().reindex(first_rows.index)
    # First tiered, then moved in the same week: the move starts where the first tiering put it.
    tiered_then_moved = first_rows["from_tier"].isna() & (rows > 1)
    first = first_rows["from_tier"].where(~tiered_then_moved, first_rows["to_tier"])
    last = ordered.drop_duplicates(KEYS, keep="last").set_index(KEYS)
    net = pd.DataFrame(
        {
            "from_tier": first.reindex(last.index).astype(object),
            "to_tier": last["to_tier"].astype(object),
            "arr_cents": last["arr_cents"].fillna(0).astype("int64"),
            "account_name": last.get("account_name"),
            "rows": rows.reindex(last.index),
            "moves": per_key["from_tier"].count().reindex(last.index),
        }
    ).reset_index()
    net["from_tier"] = net["from_tier"].where(net["from_tier"].notna(), None)
    return net[columns]


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for name in columns:
        if name not in ("from_tier", "to_tier", "account_name"):
            frame[name] = frame[name].astype("int64")
    # Missing tiers and names are None whichever path grouped them (pandas makes them NaN).
    for name in {"from_tier", "account_name"} & set(columns):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame
