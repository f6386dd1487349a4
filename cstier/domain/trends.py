"""Weekly trend points from per-run snapshots, and rewinding a mix through a run's moves."""

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd

from cstier.domain.reports.tier_review import DOWN, UP, SchemeTiers, direction

MOVE_MEASURES = ["up", "down", "arr_up_cents", "arr_down_cents"]
MOVE_COLUMNS = ["run_id", "from_key", "to_key", "accounts", "arr_cents"]


def week_starts(today: date, weeks: int) -> list[date]:
    """Return the Mondays of the last `weeks` weeks, the current one last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weekly_points(snapshots: pd.DataFrame, mondays: list[date]) -> pd.DataFrame:
    """Return one row per week and key: the mix the last run before the week's end left.

    `snapshots` has run_id, at, key and any measures (accounts, arr_cents, ...), one row per
    run and key (a tier or a coverage model); a week without a run carries the previous
    run's mix; a week before the first run has no row. Columns: week (its Monday), key and
    the measures.
    """
    measures = [c for c in snapshots.columns if c not in ("run_id", "at", "key")]
    columns = ["week", "key", *measures]
    if snapshots.empty:
        return pd.DataFrame(columns=columns)
    at = pd.to_datetime(snapshots["at"], utc=True)
    runs = pd.DataFrame({"run_id": snapshots["run_id"], "at": at}).drop_duplicates("run_id")
    runs = runs.sort_values(["at", "run_id"])
    parts = []
    for monday in mondays:
        before = runs[runs["at"] < week_end(monday)]
        if before.empty:
            continue
        rows = snapshots[snapshots["run_id"] == before["run_id"].iloc[-1]]
        parts.append(rows[["key", *measures]].assign(week=monday))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def week_end(monday: date) -> pd.Timestamp:
    """Return the instant a week ends: the next Monday, 00:00 UTC."""
    return pd.Timestamp(datetime.combine(monday + timedelta(days=7), time.min, tzinfo=UTC))


def rewind(state: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """Return the mix before some moves: each move's accounts and ARR go back to where they came from.

    `state` is indexed by key with accounts and arr_cents; `moves` has MOVE_COLUMNS (a
    from_key of None is a first tiering, which had no key before). Keys left empty go.
    """
    back = state[["accounts", "arr_cents"]].astype("int64").copy()
    if moves.empty:
        return back
    arrived = moves.groupby("to_key")[["accounts", "arr_cents"]].sum()
    left = moves.dropna(subset=["from_key"]).groupby("from_key")[["accounts", "arr_cents"]].sum()
    back = back.sub(arrived, fill_value=0).add(left, fill_value=0).astype("int64")
    return back[back["accounts"] > 0]


def moves_into(moves: pd.DataFrame, schemes: dict[int, SchemeTiers]) -> pd.DataFrame:
    """Return per scheme and tier the moves up and down into it, with the ARR they carried.

    `moves` has scheme_id, from_key, to_key, accounts, arr_cents; `schemes` gives each
    scheme's ranked tiers. First tierings, moves between unranked tiers and schemes not
    given are left out. Columns: scheme_id, tier, up, down, arr_up_cents, arr_down_cents.
    """
    columns = ["scheme_id", "tier", *MOVE_MEASURES]
    rows = []
    for move in moves.itertuples(index=False):
        scheme = schemes.get(int(move.scheme_id))
        if scheme is None or not scheme.ranked:
            continue
        way = direction(move.from_key, move.to_key, scheme.tiers, scheme.dimension)
        if way in (UP, DOWN):
            rows.append(
                {
                    "scheme_id": int(move.scheme_id),
                    "tier": move.to_key,
                    way: int(move.accounts),
                    f"arr_{way}_cents": int(move.arr_cents),
                }
            )
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).reindex(columns=columns).fillna(0)
    summed = frame.groupby(["scheme_id", "tier"], as_index=False)[MOVE_MEASURES].sum()
    summed[MOVE_MEASURES] = summed[MOVE_MEASURES].astype("int64")
    return summed


def weekly_sums(snapshots: pd.DataFrame, mondays: list[date], measures: list[str]) -> pd.DataFrame:
    """Return per week and key the sum of measures over the runs made in that week.

    `snapshots` has run_id, at, key and the measures. Columns: week, key, measures;
    weeks without a run have no row.
    """
    columns = ["week", "key", *measures]
    if snapshots.empty:
        return pd.DataFrame(columns=columns)
    at = pd.to_datetime(snapshots["at"], utc=True)
    parts = []
    for monday in mondays:
        inside = snapshots[(at >= week_end(monday - timedelta(days=7))) & (at < week_end(monday))]
        if len(inside):
            summed = inside.groupby("key", as_index=False)[measures].sum()
            parts.append(summed.assign(week=monday))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def totals_by(keys: pd.Series, arr_cents: np.ndarray) -> pd.DataFrame:
    """Return key, accounts, arr_cents: how many accounts hold each key and their ARR.

    `keys` and `arr_cents` run in the same order; a missing key is left out.
    """
    codes, uniques = pd.factorize(keys.to_numpy(object) if keys.dtype != "category" else keys)
    held = codes >= 0
    summed = (
        pd.Series(arr_cents[held].astype("int64"))
        .groupby(codes[held])
        .agg(["size", "sum"])
        .reindex(range(len(uniques)), fill_value=0)
    )
    return pd.DataFrame(
        {
            "key": np.asarray(uniques, dtype=object),
            "accounts": summed["size"].to_numpy("int64"),
            "arr_cents": summed["sum"].to_numpy("int64"),
        }
    )[lambda frame: frame["accounts"] > 0].reset_index(drop=True)


def move_totals(changes: pd.DataFrame, arr_cents: np.ndarray) -> pd.DataFrame:
    """Return from_key, to_key, accounts, arr_cents per pair of a run's changes.

    `changes` has from_tier and to_tier; `arr_cents` runs in its order. A first tiering
    has no from_key.
    """
    frame = pd.DataFrame(
        {
            "from_key": changes["from_tier"].to_numpy(object),
            "to_key": changes["to_tier"].to_numpy(object),
            "arr_cents": arr_cents.astype("int64"),
        }
    )
    summed = frame.groupby(["from_key", "to_key"], dropna=False, sort=False).agg(
        accounts=("arr_cents", "size"), arr_cents=("arr_cents", "sum")
    )
    return summed.reset_index()
