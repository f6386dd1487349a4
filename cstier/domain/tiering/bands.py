"""Value tiers by fixed bands: min inclusive, max exclusive."""

from __future__ import annotations

import pandas as pd

from cstier.domain.tiering.schemes import Band, BandScheme
from cstier.domain.tiering.thresholds import band_index
from cstier.domain.tiering.value import amount, value_inputs, value_result


def evaluate_bands(
    scheme: BandScheme, accounts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Place each account in the band holding its (adjusted) value."""
    inputs = value_inputs(scheme.measure, accounts)
    position = band_index(inputs.adjusted, scheme.bands)
    outcomes = [band_text(band) for band in scheme.bands]
    return value_result(scheme, accounts, inputs, position, outcomes, explain)


def band_text(band: Band) -> str:
    """Describe the band a value fell in, e.g. " ≥ 250,000 → Strategic"."""
    if band.min is not None and band.max is not None:
        return f" in {amount(band.min)}–{amount(band.max)} → {band.tier}"
    if band.min is not None:
        return f" ≥ {amount(band.min)} → {band.tier}"
    if band.max is not None:
        return f" < {amount(band.max)} → {band.tier}"
    return f" → {band.tier}"
