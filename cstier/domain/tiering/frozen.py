"""Churned accounts keep the tiers they last held, for history, until they come back."""

import numpy as np
import pandas as pd

from cstier.domain.tiering.explain import to_str_series

FROZEN_NOTE = "Churned: the last tier is kept until the account comes back"


def keep_frozen(result: pd.DataFrame, current: pd.DataFrame, frozen: np.ndarray) -> pd.DataFrame:
    """Return `result` with each frozen account's proposed tier replaced by its current one.

    An account without a current tier is evaluated as usual.
    """
    if not len(frozen) or current.empty:
        return result
    held = current.drop_duplicates("account_id", keep="last").set_index("account_id")["tier"]
    held = held[held.index.isin(frozen)]
    if held.empty:
        return result
    chosen = held.astype(object).reindex(result["account_id"]).to_numpy(object)
    hit = ~pd.isna(chosen)
    if not hit.any():
        return result
    result = result.copy(deep=False)
    tiers = result["tier"].to_numpy(object).copy()
    tiers[hit] = chosen[hit]
    result["tier"] = to_str_series(tiers, result.index)
    if "explanation" in result.columns:
        explanation = result["explanation"].to_numpy(object).copy()
        explanation[hit] = FROZEN_NOTE
        result["explanation"] = to_str_series(explanation, result.index)
    return result
