"""Per coverage model: required CSM headcount by count and by ARR, current headcount, gap."""

import numpy as np
import pandas as pd

from cstier.domain.coverage.layouts import account_units


def required_headcount(accounts_per_model: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Return per model: accounts, ARR, CSMs needed by count and by ARR (rounded up), required.

    `accounts_per_model` has coverage_model_id, accounts and optionally arr_cents; models
    without accounts still appear, needing nobody. `required` is the larger of the two needs.
    """
    counts = accounts_per_model.set_index("coverage_model_id")
    table = models.set_index("coverage_model_id")[
        ["key", "name", "accounts_per_csm", "arr_per_csm_cents"]
    ].copy()
    table["accounts"] = counts["accounts"].reindex(table.index).fillna(0).astype(int)
    arr = counts["arr_cents"] if "arr_cents" in counts else pd.Series(0, index=counts.index)
    table["arr_cents"] = arr.reindex(table.index).fillna(0).astype("int64")
    table["by_count"] = np.ceil(table["accounts"] / table["accounts_per_csm"]).astype(int)
    arr_target = table["arr_per_csm_cents"].astype(float)
    table["by_arr"] = np.ceil(table["arr_cents"] / arr_target).astype("Int64")
    table["required"] = (
        table[["by_count", "by_arr"]].astype(float).max(axis=1).fillna(0).astype(int)
    )
    return table.reset_index()


def headcount_for_models(
    model_ids: pd.Series, arr_cents: pd.Series, models: pd.DataFrame, current: pd.Series
) -> pd.DataFrame:
    """Return required and current headcount per model for accounts placed in these models.

    `model_ids` and `arr_cents` are aligned per account (<NA> model: none); `current` is the
    FTE per model id today.
    """
    book = pd.DataFrame({"coverage_model_id": model_ids, "arr_cents": arr_cents.fillna(0)}).dropna(
        subset=["coverage_model_id"]
    )
    per_model = (
        book.groupby("coverage_model_id")
        .agg(accounts=("arr_cents", "size"), arr_cents=("arr_cents", "sum"))
        .reset_index()
    )
    plan = required_headcount(per_model, models)
    plan["current"] = plan["coverage_model_id"].map(current).fillna(0.0).astype(float)
    plan["gap"] = (plan["required"] - plan["current"]).round(2)
    return plan


def current_headcount(book: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame) -> pd.Series:
    """Return FTE per coverage model: each CSM's FTE split by where their book's load is.

    A CSM with an empty book counts evenly towards every model they serve, so a new hire
    already closes the gap of the models they were hired for.
    """
    active = csms[csms["active"].astype(bool)]
    owned = book[book["csm_id"].isin(active["csm_id"]) & book["coverage_model_id"].notna()]
    return split_fte(account_units(owned, models), active, models)


def headcount_plan(book: pd.DataFrame, csms: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Return required and current headcount per model with the gap (positive: hire)."""
    modelled = book[book["coverage_model_id"].notna()]
    per_model = (
        modelled.groupby("coverage_model_id")
        .agg(accounts=("account_id", "size"), arr_cents=("arr_cents", "sum"))
        .reset_index()
    )
    return plan_with_gap(per_model, current_headcount(book, csms, models), models)


def plan_with_gap(
    per_model: pd.DataFrame, current: pd.Series, models: pd.DataFrame
) -> pd.DataFrame:
    """Return required headcount per model beside `current` FTE and the gap (positive: hire).

    `per_model` has coverage_model_id, accounts and arr_cents; `current` is FTE by model id.
    """
    plan = required_headcount(per_model, models)
    plan["current"] = plan["coverage_model_id"].map(current).fillna(0.0).astype(float)
    plan["gap"] = (plan["required"] - plan["current"]).round(2)
    return plan


def split_fte(units: pd.DataFrame, active: pd.DataFrame, models: pd.DataFrame) -> pd.Series:
    """Return FTE per model: each active CSM's FTE split by their count units per model.

    A CSM with an empty book counts evenly towards every model they serve, so a new hire
    already closes the gap of the models they were hired for.
    """
    fte = active.set_index("csm_id")["fte"].astype(float)
    load = units.groupby(["csm_id", "coverage_model_id"])["count_units"].sum()
    share = load / load.groupby(level="csm_id").transform("sum")
    busy = (
        (share * fte.reindex(share.index.get_level_values("csm_id")).to_numpy())
        .groupby(level="coverage_model_id")
        .sum()
    )
    idle = active[~active["csm_id"].isin(share.index.get_level_values("csm_id"))]
    idle = idle[idle["model_ids"].map(len) > 0]
    spread = idle.assign(part=idle["fte"].astype(float) / idle["model_ids"].map(len)).explode(
        "model_ids"
    )
    spread_fte = spread.groupby("model_ids")["part"].sum()
    total = busy.add(spread_fte, fill_value=0.0)
    return total.reindex(models["coverage_model_id"], fill_value=0.0).round(2)
