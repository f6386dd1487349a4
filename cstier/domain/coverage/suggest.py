"""Capacity-aware owner suggestions: continuity first, then a deterministic greedy balance."""

import heapq

import numpy as np
import pandas as pd

from cstier.domain.coverage.capacity import fill_missing_models
from cstier.domain.coverage.fit import CsmFit, build_fit
from cstier.domain.coverage.loads import Loads, start_loads

ACCOUNT_COLUMNS = ("account_id", "coverage_model_id", "region", "vertical", "arr_cents", "csm_id")
EPSILON = 1e-9

KEPT = "Kept: the current CSM still fits this coverage model, region and vertical."
PLACED = "Best fit with the lowest load by accounts and ARR."
NOT_TIERED = "No coverage model yet: tier the account first."
FULL = "Every CSM who fits is at capacity: hire, raise FTE or rebalance."


def suggest_owners(
    accounts: pd.DataFrame,
    csms: pd.DataFrame,
    models: pd.DataFrame,
    pools: pd.DataFrame,
    book: pd.DataFrame,
    mean_arr: pd.Series | None = None,
) -> pd.DataFrame:
    """Propose an owner (CSM, and pool for pooled models) for each account, or say why not.

    `accounts` are the ones to place (unassigned or flagged); `book` is everything owned, whose
    load the CSMs already carry. Large accounts are placed first (ties by id), each with the
    fitting CSM of lowest combined count + ARR load (ties by CSM id), never past 100 % of
    target. Same input, same output. Implied ARR targets use each model's mean ARR over
    `book` and `accounts`, or `mean_arr` (by model id) from a caller that passes only the
    owned part of the book.
    """
    fit = build_fit(csms, pools)
    names = models.set_index("coverage_model_id")["name"].to_dict()
    loads = start_loads(fit, models, fill_missing_models(book, csms), accounts, mean_arr)
    frame = _ordered(accounts)
    owner = np.full(len(frame), -1, dtype="int64")
    kept = np.zeros(len(frame), dtype=bool)
    reasons = np.full(len(frame), NOT_TIERED, dtype=object)
    groups = frame.groupby(["model", "region", "vertical"], sort=True).indices
    masks = {key: _eligible(fit, key) for key in groups}
    for key, rows in groups.items():
        if key[0] >= 0:
            _keep_current(frame, rows, masks[key], fit, loads, owner, kept, reasons)
    # The most constrained groups choose first, so flexible CSMs are not used up by others.
    for key in sorted(groups, key=lambda k: (int(masks[k].sum()), k)):
        if key[0] < 0:
            continue
        rows = groups[key][owner[groups[key]] < 0]
        if not masks[key].any():
            reasons[rows] = _no_fit_reason(fit, key, names)
            continue
        _place(frame, rows, key[0], masks[key], fit, loads, owner, reasons)
    return _result(frame, owner, kept, reasons, fit)


def _ordered(accounts: pd.DataFrame) -> pd.DataFrame:
    """Sort by ARR descending then id (stable), with missing keys made explicit."""
    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype("int64").to_numpy(),
            "model": accounts["coverage_model_id"].astype("Int64").fillna(-1).astype("int64"),
            "region": accounts["region"].astype("string").fillna("").to_numpy(),
            "vertical": accounts["vertical"].astype("string").fillna("").to_numpy(),
            "arr_cents": accounts["arr_cents"].fillna(0).astype("int64").to_numpy(),
            "csm_id": accounts["csm_id"].astype("Int64").fillna(-1).astype("int64").to_numpy(),
        }
    )
    order = np.lexsort((frame["account_id"].to_numpy(), -frame["arr_cents"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _eligible(fit: CsmFit, key: tuple) -> np.ndarray:
    model_id, region, vertical = key
    if model_id < 0:
        return np.zeros(fit.size, dtype=bool)
    return fit.serving(model_id) & fit.region_fit(region) & fit.vertical_fit(vertical)


def _keep_current(frame, rows, mask, fit, loads, owner, kept, reasons) -> None:
    """Keep the current CSM wherever they still fit; their load carries the account."""
    current = frame["csm_id"].to_numpy()[rows]
    owned = rows[current >= 0]
    if not len(owned) or not mask.any():
        return
    where = np.searchsorted(fit.csm_ids, current[current >= 0])
    where = np.minimum(where, fit.size - 1)
    stays = (fit.csm_ids[where] == current[current >= 0]) & mask[where]
    models = frame["model"].to_numpy()
    arr = frame["arr_cents"].to_numpy()
    for row, i in zip(owned[stays].tolist(), where[stays].tolist(), strict=True):
        owner[row], kept[row], reasons[row] = i, True, KEPT
        loads.add(i, int(models[row]), int(arr[row]))


def _place(frame, rows, model_id, mask, fit, loads: Loads, owner, reasons) -> None:
    """Give each account to the least-loaded fitting CSM with room, largest accounts first."""
    candidates = np.flatnonzero(mask).tolist()
    csm_ids = fit.csm_ids.tolist()
    heap = [(loads.score(i), loads.count[i], csm_ids[i], i) for i in candidates]
    heapq.heapify(heap)
    capped = loads.has_arr_cap(model_id)
    # Plain lists in the loop: indexing NumPy arrays one element at a time costs more.
    arr_values = frame["arr_cents"].to_numpy()[rows].tolist()
    chosen = []
    for value in arr_values:
        while heap and not loads.has_room(heap[0][3], model_id, capped):
            heapq.heappop(heap)  # room only shrinks within a group, so a full CSM stays full
        if not heap:
            break
        i = heap[0][3]
        loads.add(i, model_id, value)
        chosen.append(i)
        heapq.heapreplace(heap, (loads.score(i), loads.count[i], heap[0][2], i))
    placed = rows[: len(chosen)]
    owner[placed], reasons[placed] = chosen, PLACED
    reasons[rows[len(chosen) :]] = FULL


def _no_fit_reason(fit: CsmFit, key: tuple, names: dict) -> str:
    model_id, region, vertical = key
    name = names.get(model_id, f"model {model_id}")
    if not fit.serving(model_id).any():
        if model_id in fit.pooled_models:
            return f"No active CSM serves {name} and its pools have no active members."
        return f"No active CSM serves {name}."
    where = " / ".join(v for v in (region, vertical) if v) or "this account"
    return f"No CSM serving {name} covers {where}."


def _result(frame, owner, kept, reasons, fit: CsmFit) -> pd.DataFrame:
    has_owner = owner >= 0
    csm_ids = (
        np.where(has_owner, fit.csm_ids[np.where(has_owner, owner, 0)], -1) if fit.size else owner
    )
    models = frame["model"].to_numpy()
    pool_ids = [
        fit.pool_of.get((int(m), int(c))) if c >= 0 else None
        for m, c in zip(models, csm_ids, strict=True)
    ]
    result = pd.DataFrame(
        {
            "account_id": frame["account_id"].to_numpy(),
            "csm_id": pd.array(np.where(has_owner, csm_ids, 0), dtype="Int64"),
            "pool_id": pd.array(pool_ids, dtype="Int64"),
            "kept": kept,
            "reason": reasons,
        }
    )
    result.loc[~has_owner, "csm_id"] = pd.NA
    return result.sort_values("account_id", kind="stable", ignore_index=True)
