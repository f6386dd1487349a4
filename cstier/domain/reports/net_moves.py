"""A week's net moves per (scheme, account), grouped into the few shapes the review is built from.

A first tiering (no from_tier) is not a change of tier, and a move's from_tier is the tier
the account held. So an account's net move runs from its first move's from_tier to its last
move's to_tier, moves ordered by (at, change id); an account first tiered and moved again in
the week moves from the tier it was first given, and one only first tiered counts as newly
tiered. The store computes the same shapes in SQL; `week_moves` here is the reference on a
frame of single changes.
"""

from dataclasses import dataclass, field

import pandas as pd

CHANGE_COLUMNS = ["change_id", "account_id", "scheme_id", "from_tier", "to_tier", "at", "arr_cents"]
KEYS = ["scheme_id", "account_id"]
# Per (scheme, net from_tier, to_tier): accounts, their ARR, their changes, those with a from tier.
PAIR_COLUMNS = ["scheme_id", "from_tier", "to_tier", "accounts", "arr_cents", "rows", "moves"]
MOVER_COLUMNS = ["scheme_id", "account_id", "account_name", "from_tier", "to_tier", "arr_cents"]


@dataclass
class WeekMoves:
    """The week grouped: net moves per from→to pair, the biggest movers, accounts that moved.

    `pairs` holds moved keys by net from→to and keys only first tiered (from_tier None) by
    their tier; `movers` holds, per scheme, the top_n accounts whose tier changed (from_tier
    set and different from to_tier) by ARR, largest first, ties by account id; `accounts`
    counts the distinct accounts that changed tier in any scheme; `tiered_then_moved` counts
    per scheme the first tierings of keys that also moved in the week (change rows only).
    """

    pairs: pd.DataFrame
    movers: pd.DataFrame
    accounts: int
    tiered_then_moved: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls,
        pairs: list[tuple],
        movers: list[tuple],
        accounts: int,
        tiered_then_moved: dict[int, int] | None = None,
    ) -> "WeekMoves":
        """Return the shapes from plain row tuples (PAIR_COLUMNS and MOVER_COLUMNS order)."""
        return cls(
            _frame(pairs, PAIR_COLUMNS),
            _frame(movers, MOVER_COLUMNS),
            int(accounts or 0),
            {int(k): int(v) for k, v in (tiered_then_moved or {}).items() if v},
        )


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
        net.groupby("scheme_id")["firsts"].sum().to_dict() if len(net) else {},
    )


def net_moves(changes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per moved (scheme, account) and one per first tiering of a key that did not move.

    Columns: net from_tier (None for a first tiering), last to_tier, latest ARR, the key's
    change rows and moves, and `firsts`: the first tierings of a moved key in the week.
    """
    columns = [*KEYS, "from_tier", "to_tier", "arr_cents", "account_name", "rows", "moves"]
    if changes.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in [*columns, "firsts"]})
    order = [name for name in ("at", "change_id") if name in changes]
    ordered = changes.sort_values(order, kind="stable") if order else changes
    is_move = ordered["from_tier"].notna()
    moves, firsts = ordered[is_move], ordered[~is_move]
    per_key = moves.groupby(KEYS)
    last = moves.drop_duplicates(KEYS, keep="last").set_index(KEYS)
    firsts_per_key = firsts.groupby(KEYS).size()
    moved = pd.DataFrame(
        {
            "from_tier": moves.drop_duplicates(KEYS, keep="first")
            .set_index(KEYS)["from_tier"]
            .reindex(last.index)
            .astype(object),
            "to_tier": last["to_tier"].astype(object),
            "arr_cents": last["arr_cents"].fillna(0).astype("int64"),
            "account_name": last.get("account_name"),
            "moves": per_key.size().reindex(last.index),
        }
    )
    moved["rows"] = moved["moves"]
    moved["firsts"] = firsts_per_key.reindex(moved.index).fillna(0).astype("int64")
    moved_keys = pd.MultiIndex.from_frame(moves[KEYS].drop_duplicates())
    only_tiered = firsts[~pd.MultiIndex.from_frame(firsts[KEYS]).isin(moved_keys)]
    new = pd.DataFrame(
        {
            **{key: only_tiered[key] for key in KEYS},
            "from_tier": None,
            "to_tier": only_tiered["to_tier"].astype(object),
            "arr_cents": only_tiered["arr_cents"].fillna(0).astype("int64"),
            "account_name": only_tiered.get("account_name"),
            "rows": 1,
            "moves": 0,
        }
    )
    net = pd.concat([moved.reset_index(), new.assign(firsts=0)], ignore_index=True)
    net["from_tier"] = net["from_tier"].astype(object).where(net["from_tier"].notna(), None)
    return net[[*columns, "firsts"]]


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for name in columns:
        if name not in ("from_tier", "to_tier", "account_name"):
            frame[name] = frame[name].astype("int64")
    # Missing tiers and names are None whichever path grouped them (pandas makes them NaN).
    for name in {"from_tier", "account_name"} & set(columns):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame
