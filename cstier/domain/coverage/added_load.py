"""A CSM's load after one more account: what an owner suggestion would do to them."""

import numpy as np
import pandas as pd

from cstier.domain.coverage.layouts import account_units


def load_after(loads: pd.DataFrame, additions: pd.DataFrame, models: pd.DataFrame) -> pd.Series:
    """Return each addition's CSM load (%) with that one account added to their current book.

    `loads` is csm_loads' output (csm_id, fte, load_pct, arr_load_pct); `additions` has
    account_id, csm_id, coverage_model_id and arr_cents, one row per account to place. Each
    row is on its own: two additions to one CSM do not add up. Indexed like `additions`.
    """
    units = account_units(additions, models)
    by_csm = loads.set_index("csm_id")
    fte = additions["csm_id"].map(by_csm["fte"]).astype(float).fillna(1.0)
    fte = fte.where(fte > 0, np.nan)
    count = additions["csm_id"].map(by_csm["load_pct"]).astype(float).fillna(0.0)
    count = count + units["count_units"] / fte * 100
    arr_before = additions["csm_id"].map(by_csm["arr_load_pct"]).astype(float)
    has_arr = arr_before.notna() | units["has_arr_target"]
    arr = (arr_before.fillna(0.0) + units["arr_units"] / fte * 100).where(has_arr)
    return pd.concat([count, arr], axis=1).max(axis=1).fillna(0.0).round(1)
