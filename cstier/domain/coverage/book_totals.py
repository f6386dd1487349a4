"""CSM loads from per-CSM, per-model totals: what csm_loads gives, without a row per account."""

import numpy as np
import pandas as pd

from cstier.domain.coverage.capacity import load_status

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
    loads = csms.set_index("csm_id")[["fte"]].join(per_csm, how="outer")
    loads["fte"] = loads["fte"].astype(float).fillna(1.0)
    loads["accounts"] = loads["accounts"].fillna(0).astype(int)
    loads["arr_cents"] = loads["arr_cents"].fillna(0).astype("int64")
    fte = loads["fte"].where(loads["fte"] > 0, np.nan)
    loads["load_pct"] = (loads["count_units"].fillna(0.0) / fte * 100).round(1)
    arr_pct = (loads["arr_units"].fillna(0.0) / fte * 100).round(1)
    loads["arr_load_pct"] = arr_pct.where(loads["has_arr_target"].fillna(False).astype(bool))
    loads["load"] = loads[["load_pct", "arr_load_pct"]].max(axis=1).fillna(0.0)
    loads["status"] = loads["load"].map(load_status)
    columns = ["accounts", "arr_cents", "fte", "load_pct", "arr_load_pct", "load", "status"]
    loads.index.name = "csm_id"
    return loads[columns].reset_index().sort_values("csm_id", kind="stable", ignore_index=True)
