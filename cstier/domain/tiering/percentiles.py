"""Value tiers by rank: top N %, next M %, …; ties share the higher tier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cstier.domain.tiering.schemes import PercentileScheme
from cstier.domain.tiering.value import amount, value_inputs, value_result


def evaluate_percentiles(
    scheme: PercentileScheme, accounts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Rank accounts by value, highest first, and cut the ranking by shares."""
    inputs = value_inputs(scheme.measure, accounts)
    # Flagged accounts are placed by the flag, so they do not take ranking slots.
    ranked = np.where(inputs.flagged, np.nan, inputs.adjusted)
    position = percentile_position(ranked, [share.share for share in scheme.shares])
    outcomes = _outcomes(scheme, ranked, position)
    return value_result(scheme, accounts, inputs, position, outcomes, explain)


def percentile_position(values: np.ndarray, shares: list[float]) -> np.ndarray:
    """Return each value's tier position (top 0) by share of ranking; -1 if NaN.

    An account is in the top X % when fewer than X % of ranked accounts have a
    strictly higher value, so tied accounts always share the higher tier.
    """
    present = ~np.isnan(values)
    ranked = int(present.sum())
    higher = pd.Series(values).rank(method="min", ascending=False).to_numpy() - 1
    cumulative = np.cumsum(shares)[:-1] / 100.0 * ranked
    position = np.searchsorted(cumulative, higher, side="right")
    return np.where(present, position, -1)


def _outcomes(scheme: PercentileScheme, ranked: np.ndarray, position: np.ndarray) -> list[str]:
    floors = pd.Series(ranked).groupby(position).min()
    outcomes = []
    top = 0.0
    last = len(scheme.shares) - 1
    for i, share in enumerate(scheme.shares):
        bottom = top + share.share
        if i == last:
            where = f" below top {top:g}%" if top else ""
        else:
            where = f" in top {bottom:g}%" if i == 0 else f" in top {top:g}–{bottom:g}%"
            if i in floors.index:
                where += f" (≥ {amount(floors[i])})"
        outcomes.append(f"{where} → {share.tier}")
        top = bottom
    return outcomes
