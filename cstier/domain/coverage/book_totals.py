"""CSM loads from per-CSM, per-model totals: what csm_loads gives, without a row per account."""

import pandas as pd

from cstier.domain.coverage.capacity import loads_per_csm
from cstier.domain.coverage.headcount import plan_with_gap, split_fte

TOTAL_COLUMNS = ("csm_id", "coverage_model_id", "accounts", "arr_cents")


def loads_from_totals(
    totals: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame
) -> pd.DataFrame:
    """Return csm_loads' columns from accounts and ARR summed per CSM and coverage model.

    An account's share of a CSM is linear in its count and ARR, so sums give the same loads
    as the accounts one by one; totals without a model count against the CSM's first
    served model, as in csm_loads.
    """
    primary = csms.set_index("csm_id")["model_ids"].map(lambda ids: ids[0] if len(ids) else None)
    model = totals["coverage_model_id"].astype("Int64")
    model = model.fillna(totals["csm_id"].map(primary).astype("Int64"))
    targets = models.set_index("coverage_model_id")
    ratio = model.map(targets["accounts_per_csm"]).astype(float)
    arr_target = model.map(targets["arr_per_csm_cents"]).astype(float)
    units = pd.DataFrame(
        {
            "csm_id": totals["csm_id"],
            "accounts": totals["accounts"].astype(int),
            "arr_cents": totals["arr_cents"].astype("int64"),
            "count_units": (totals["accounts"] / ratio).fillna(0.0),
            "arr_units": (totals["arr_cents"].astype(float) / arr_target).fillna(0.0),
            "has_arr_target": arr_target.notna(),
        }
    )
    per_csm = units.groupby("csm_id").agg(
        accounts=("accounts", "sum"),
        arr_cents=("arr_cents", "sum"),
        count_units=("count_units", "sum"),
        arr_units=("arr_units", "sum"),
        has_arr_target=("has_arr_target", "any"),
    )
    return loads_per_csm(per_csm, csms)


def headcount_from_totals(
    totals: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame
) -> pd.DataFrame:
    """Return headcount_plan's columns from accounts and ARR summed per CSM and model.

    `totals` covers the whole book (csm_id <NA>: nobody owns them); a model's accounts and
    ARR are the sums over every owner, and current FTE splits as current_headcount does.
    """
    modelled = totals[totals["coverage_model_id"].notna()]
    per_model = (
        modelled.groupby("coverage_model_id")
        .agg(accounts=("accounts", "sum"), arr_cents=("arr_cents", "sum"))
        .reset_index()
    )
    return plan_with_gap(per_model, current_headcount_from_totals(totals, csms, models), models)


def current_headcount_from_totals(
    totals: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame
) -> pd.Series:
    """Return current_headcount's FTE per model from per-CSM, per-model account counts."""
    active = csms[csms["active"].astype(bool)]
    fte = active.set_index("csm_id")["fte"].astype(float)
    owned = totals[totals["csm_id"].isin(fte.index) & totals["coverage_model_id"].notna()]
    ratio = owned["coverage_model_id"].map(
        models.set_index("coverage_model_id")["accounts_per_csm"]
    )
    units = pd.DataFrame(
        {
            "csm_id": owned["csm_id"].astype("int64"),
            "coverage_model_id": owned["coverage_model_id"].astype("int64"),
            "count_units": (owned["accounts"] / ratio.astype(float)).fillna(0.0),
        }
    )
    return split_fte(units, active, models)
