"""Bands on a number line: parse them so they tile it, and place values in them."""

from __future__ import annotations

from typing import Any

import numpy as np

from cstier.domain.tiering import checks
from cstier.domain.tiering.schemes import Band, InvalidScheme


def parse_bands(raw_bands: Any) -> tuple[Band, ...]:
    """Return bands sorted top first, or name the gap or overlap that breaks tiling."""
    bands = []
    for i, raw in enumerate(checks.items(raw_bands, "The band list"), start=1):
        raw = checks.mapping(raw, f"Band {i}")
        tier = checks.text(raw.get("tier"), f"The tier of band {i}")
        low = checks.optional_number(raw.get("min"), f"The min of band '{tier}'")
        high = checks.optional_number(raw.get("max"), f"The max of band '{tier}'")
        if low is not None and high is not None and low >= high:
            raise InvalidScheme(f"Band '{tier}' has min {low:,g} not below its max {high:,g}.")
        bands.append(Band(tier=tier, min=low, max=high))
    checks.unique_names((band.tier for band in bands), "tier")
    bands.sort(key=lambda band: -np.inf if band.min is None else band.min, reverse=True)
    _check_tiling(bands)
    return tuple(bands)


def _check_tiling(bands: list[Band]) -> None:
    if bands[0].max is not None:
        raise InvalidScheme(
            f"Values from {bands[0].max:,g} up have no band: remove 'max' from "
            f"'{bands[0].tier}' or add a band above it."
        )
    if bands[-1].min is not None:
        raise InvalidScheme(
            f"Values below {bands[-1].min:,g} have no band: remove 'min' from "
            f"'{bands[-1].tier}' or add a band below it."
        )
    for upper, lower in zip(bands, bands[1:], strict=False):
        if upper.min is None or lower.max is None:
            raise InvalidScheme(
                f"Bands '{upper.tier}' and '{lower.tier}' overlap: only the bottom band may "
                "omit 'min' and only the top band may omit 'max'."
            )
        if lower.max > upper.min:
            raise InvalidScheme(
                f"Bands '{upper.tier}' and '{lower.tier}' overlap between {upper.min:,g} and "
                f"{lower.max:,g}: set the max of '{lower.tier}' to {upper.min:,g}."
            )
        if lower.max < upper.min:
            raise InvalidScheme(
                f"Bands '{lower.tier}' and '{upper.tier}' leave a gap between {lower.max:,g} and "
                f"{upper.min:,g}: set the max of '{lower.tier}' to {upper.min:,g}."
            )


def parse_thresholds(raw_thresholds: Any) -> tuple[Band, ...]:
    """Return 0–100 score bands from minimum scores listed top tier first."""
    raws = checks.items(raw_thresholds, "The threshold list")
    bands = []
    upper = None
    for i, raw in enumerate(raws, start=1):
        raw = checks.mapping(raw, f"Threshold {i}")
        tier = checks.text(raw.get("tier"), f"The tier of threshold {i}")
        low = checks.optional_number(raw.get("min"), f"The min score of '{tier}'")
        last = i == len(raws)
        if low is None and not last:
            raise InvalidScheme(f"Tier '{tier}' needs a min score; only the last tier may omit it.")
        if low is not None and not 0 <= low <= 100:
            raise InvalidScheme(
                f"The min score of '{tier}' must be between 0 and 100, got {low:g}."
            )
        if low is not None and upper is not None and low >= upper:
            raise InvalidScheme(
                f"Thresholds overlap: '{tier}' starts at {low:g}, not below the tier above "
                f"it ({upper:g}). List tiers from the highest score down."
            )
        if last and low is not None and low > 0:
            raise InvalidScheme(
                f"Scores below {low:g} have no tier: remove 'min' from '{tier}' or set it to 0."
            )
        bands.append(Band(tier=tier, min=None if last else low, max=upper))
        upper = low
    checks.unique_names((band.tier for band in bands), "tier")
    return tuple(bands)


def band_index(values: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    """Return the position (top band 0) of the band holding each value; -1 if NaN."""
    # Bands tile the line top first, so the lower edges sorted ascending are the
    # cut points and min-inclusive placement is searchsorted(side="right").
    edges = np.array([band.min for band in bands[:-1]][::-1], dtype=float)
    position = len(bands) - 1 - np.searchsorted(edges, values, side="right")
    return np.where(np.isnan(values), -1, position)
