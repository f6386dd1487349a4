"""Running CSM loads for the suggester, as fractions of each CSM's FTE."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cstier.domain.coverage.fit import CsmFit

EPSILON = 1e-9


@dataclass
class Loads:
    """Count load, ARR load for balance, and ARR load against explicit targets, per CSM."""

    fte: list[float]
    count: list[float]
    arr: list[float]
    arr_cap: list[float]
    ratio: dict[int, float]
    arr_target: dict[int, float]
    explicit: set[int]

    def score(self, i: int) -> float:
        """Return the balance key: count and ARR load weigh the same."""
        return self.count[i] + self.arr[i]

    def has_arr_cap(self, model_id: int) -> bool:
        """Return whether the model sets an ARR per CSM target that caps a book."""
        return model_id in self.explicit

    def has_room(self, i: int, model_id: int, capped: bool) -> bool:
        """Return whether one more account of the model keeps CSM i within 100 % of target."""
        if self.count[i] + 1.0 / self.ratio[model_id] / self.fte[i] > 1.0 + EPSILON:
            return False
        # One account above the ARR target must still land somewhere: test the load before it.
        return not capped or self.arr_cap[i] < 1.0 - EPSILON

    def add(self, i: int, model_id: int, arr_cents: int) -> None:
        """Put one account of the model on CSM i's book."""
        self.count[i] += 1.0 / self.ratio[model_id] / self.fte[i]
        target = self.arr_target.get(model_id)
        if target:
            self.arr[i] += arr_cents / target / self.fte[i]
            if model_id in self.explicit:
                self.arr_cap[i] += arr_cents / target / self.fte[i]


def arr_targets(
    models: pd.DataFrame,
    book: pd.DataFrame,
    accounts: pd.DataFrame,
    mean_arr: pd.Series | None = None,
) -> dict:
    """Return ARR per CSM per model: the explicit target, else ratio × the model's mean ARR.

    The implied target lets ARR balance inside pooled and tech-touch books too. The mean
    comes from `book` and `accounts`, each account once (an owned account being placed is
    in both), unless the caller gives it (`mean_arr`, by model id), as one that passes only
    the owned part of a large book does.
    """
    if mean_arr is None:
        others = book[~book["account_id"].isin(accounts["account_id"])]
        both = pd.concat(
            [
                others[["coverage_model_id", "arr_cents"]],
                accounts[["coverage_model_id", "arr_cents"]],
            ]
        ).dropna(subset=["coverage_model_id"])
        mean_arr = both.groupby(both["coverage_model_id"].astype("int64"))["arr_cents"].mean()
    targets = {}
    for row in models.itertuples():
        explicit = row.arr_per_csm_cents
        if explicit is not None and not pd.isna(explicit) and explicit > 0:
            targets[int(row.coverage_model_id)] = float(explicit)
        else:
            implied = float(mean_arr.get(int(row.coverage_model_id), 0.0)) * row.accounts_per_csm
            if implied > 0:
                targets[int(row.coverage_model_id)] = implied
    return targets


def start_loads(
    fit: CsmFit,
    models: pd.DataFrame,
    book: pd.DataFrame,
    accounts: pd.DataFrame,
    mean_arr: pd.Series | None = None,
) -> Loads:
    """Return the loads the CSMs carry from the book, leaving out the accounts being placed.

    Only the accounts of `book` that a CSM owns count; `mean_arr` is as for `arr_targets`.
    """
    explicit = {
        int(m)
        for m, t in zip(models["coverage_model_id"], models["arr_per_csm_cents"], strict=True)
        if t is not None and not pd.isna(t) and t > 0
    }
    loads = Loads(
        fte=fit.fte.tolist(),
        count=[0.0] * fit.size,
        arr=[0.0] * fit.size,
        arr_cap=[0.0] * fit.size,
        ratio={
            int(m): float(r)
            for m, r in zip(models["coverage_model_id"], models["accounts_per_csm"], strict=True)
        },
        arr_target=arr_targets(models, book, accounts, mean_arr),
        explicit=explicit,
    )
    position = pd.Series(np.arange(fit.size), index=fit.csm_ids)
    carried = book[
        ~book["account_id"].isin(accounts["account_id"])
        & book["csm_id"].isin(fit.csm_ids)
        & book["coverage_model_id"].isin(list(loads.ratio))
    ]
    model = carried["coverage_model_id"].astype("int64")
    where = position.reindex(carried["csm_id"].astype("int64")).to_numpy()
    fte = fit.fte[where] if len(where) else np.array([])
    ratio = model.map(loads.ratio).to_numpy(dtype=float)
    target = model.map(loads.arr_target).astype(float).to_numpy()
    arr = carried["arr_cents"].astype(float).to_numpy()
    arr_units = np.nan_to_num(arr / target / fte) if len(where) else np.array([])
    cap_units = np.where(model.isin(explicit).to_numpy(), arr_units, 0.0)
    for values, column in (
        (1.0 / ratio / fte if len(where) else np.array([]), "count"),
        (arr_units, "arr"),
        (cap_units, "arr_cap"),
    ):
        total = np.zeros(fit.size)
        np.add.at(total, where.astype("int64"), values)
        setattr(loads, column, total.tolist())
    return loads


def moved_totals(
    totals: pd.DataFrame, arr: pd.Series, before: pd.Series, changed: pd.Series
) -> pd.DataFrame:
    """Return each model's ARR and account count after the changed accounts moved.

    `totals` (by model id: arr_cents, accounts) are the stored ones; `arr` is each changed
    account's ARR, `before` its stored model and `changed` its new one (by account id).
    Models left without accounts are dropped.
    """
    moved = pd.DataFrame({"arr_cents": arr, "accounts": 1.0}, index=changed.index)
    left = moved.groupby(before.reindex(changed.index).dropna().astype("int64")).sum()
    joined = moved.groupby(changed.dropna().astype("int64")).sum()
    after = totals.astype(float).sub(left, fill_value=0).add(joined, fill_value=0)
    return after[after["accounts"] > 0]
