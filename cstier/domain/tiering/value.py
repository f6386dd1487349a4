"""The value measure (ARR, expansion-adjusted) and the result shared by value methods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cstier.domain.tiering.explain import (
    format_amount,
    format_decimal,
    join,
    render_grouped,
    tier_frame,
    value_codes,
)
from cstier.domain.tiering.schemes import BandScheme, PercentileScheme, ValueMeasure


@dataclass(frozen=True)
class ValueInputs:
    """Per-account ARR, the adjusted value tiers are cut on, and the flag."""

    arr: np.ndarray
    adjusted: np.ndarray
    uplift_pct: np.ndarray
    flagged: np.ndarray


def value_inputs(measure: ValueMeasure, accounts: pd.DataFrame) -> ValueInputs:
    """Compute `adjusted = arr * (1 + expansion_weight * expansion_potential)`."""
    arr = pd.to_numeric(accounts[measure.field], errors="coerce").to_numpy(float)
    uplift = np.zeros(len(arr))
    if measure.expansion is not None:
        potential = pd.to_numeric(accounts[measure.expansion.field], errors="coerce")
        # Unknown potential means no known upside, not an unknown value.
        uplift = measure.expansion.weight * potential.fillna(0.0).to_numpy(float)
    flagged = np.zeros(len(arr), dtype=bool)
    if measure.strategic_flag is not None:
        flag = accounts[measure.strategic_flag.field]
        flagged = flag.eq(True).fillna(False).to_numpy(bool)
    return ValueInputs(
        arr=arr, adjusted=arr * (1.0 + uplift), uplift_pct=uplift * 100, flagged=flagged
    )


def value_result(
    scheme: BandScheme | PercentileScheme,
    accounts: pd.DataFrame,
    inputs: ValueInputs,
    position: np.ndarray,
    outcomes: list[str],
    explain: bool = True,
) -> pd.DataFrame:
    """Assemble tiers and explanations from each row's tier position (-1: no value).

    `outcomes[i]` is the text after the value for tier i, e.g. " ≥ 250,000 → Strategic".
    """
    measure = scheme.measure
    flag_tier = measure.strategic_flag.tier if measure.strategic_flag else scheme.default
    tier_count = len(scheme.tiers)
    names = np.array([*scheme.tiers, flag_tier, scheme.default], dtype=object)
    before = [""] * tier_count + [f"{flag_tier} flag set, ", f"No {measure.label} → default "]
    after = [*outcomes, f" → {flag_tier}", scheme.default]
    shows_value = np.array([True] * (tier_count + 1) + [False])
    outcome = np.select(
        [inputs.flagged, position < 0], [tier_count, tier_count + 1], position
    ).astype(np.int64)

    def render(rows: np.ndarray) -> np.ndarray:
        code = outcome[rows]
        described = np.where(shows_value[code], _describe(measure, inputs, rows), "")
        return join(
            np.array(before, dtype=object)[code], described, np.array(after, dtype=object)[code]
        )

    explanation = None
    if explain:
        keys = [outcome, value_codes(np.round(inputs.arr, 2))]
        if measure.expansion is not None:
            keys.append(value_codes(np.round(inputs.uplift_pct, 1)))
        explanation = render_grouped(keys, render)
    score = np.where(outcome < tier_count, inputs.adjusted, np.nan)
    return tier_frame(accounts, names[outcome], explanation, score)


def _describe(measure: ValueMeasure, inputs: ValueInputs, rows: np.ndarray) -> np.ndarray:
    if measure.expansion is None:
        return join(f"{measure.label} ", format_amount(inputs.arr[rows]))
    return join(
        f"Adjusted {measure.label} ",
        format_amount(inputs.adjusted[rows]),
        " (+",
        format_decimal(inputs.uplift_pct[rows]),
        "% expansion)",
    )


def amount(value: float) -> str:
    """Format one boundary the way explanations show amounts, e.g. 250,000."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
