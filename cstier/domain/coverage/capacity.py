"""Per-CSM load: accounts and ARR in the book against the coverage model's target, scaled by FTE."""

import numpy as np
import pandas as pd

from cstier.domain.coverage.layouts import (
    BOOK_COLUMNS,
    CSM_COLUMNS,
    MODEL_COLUMNS,
    account_units,
    require,
)

UNDER_PCT = 85.0  # below this a CSM has room for more; between it and 100 they are on target


def load_status(load_pct: float) -> str:
    """Name a load: over (past 100 %), on target, or under (room for more)."""
    if load_pct > 100.0:
        return "over"
    if load_pct >= UNDER_PCT:
        return "on_target"
    return "under"


def fill_missing_models(book: pd.DataFrame, csms: pd.DataFrame) -> pd.DataFrame:
    """Count an owned account with no derived model against its CSM's first served model."""
    primary = csms.set_index("csm_id")["model_ids"].map(lambda ids: ids[0] if len(ids) else None)
    fallback = book["csm_id"].map(primary)
    filled = book.copy()
    filled["coverage_model_id"] = (
        book["coverage_model_id"].astype("Int64").fillna(fallback.astype("Int64"))
    )
    return filled


def csm_loads(book: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Return one row per CSM: accounts, ARR, FTE, load % by count and by ARR, load and status.

    load_pct is the FTE share the book uses ÷ the CSM's FTE; arr_load_pct is NaN when no account
    in the book has a model with an ARR target. `load` is the binding one of the two.
    """
    require(book, BOOK_COLUMNS, "book")
    require(csms, CSM_COLUMNS, "csms")
    require(models, MODEL_COLUMNS, "models")
    owned = book[book["csm_id"].notna()]
    units = account_units(fill_missing_models(owned, csms), models)
    per_csm = units.groupby("csm_id").agg(
        accounts=("account_id", "size"),
        arr_cents=("arr_cents", "sum"),
        count_units=("count_units", "sum"),
        arr_units=("arr_units", "sum"),
        has_arr_target=("has_arr_target", "any"),
    )
    return loads_per_csm(per_csm, csms)


def loads_per_csm(per_csm: pd.DataFrame, csms: pd.DataFrame) -> pd.DataFrame:
    """Return each CSM's load from their summed accounts, ARR and units (index csm_id).

    `per_csm` has accounts, arr_cents, count_units, arr_units and has_arr_target; a CSM
    without accounts has load 0, and accounts of a CSM without a profile count at 1 FTE.
    """
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
