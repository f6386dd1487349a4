"""Needs tiers: a weighted 0–100 score from normalised components, cut at thresholds."""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pandas as pd

from cstier.domain.tiering.explain import format_decimal, join, render_grouped, tier_frame
from cstier.domain.tiering.schemes import Band, NeedsComponent, NeedsScheme
from cstier.domain.tiering.thresholds import band_index

_PERCENT = np.array([f" {p}% ×" for p in range(101)], dtype=object)
_FACTOR = np.array([f"{v / 100:g}" for v in range(101)], dtype=object)


def normalise(component: NeedsComponent, accounts: pd.DataFrame) -> np.ndarray:
    """Return the component as 0..1 per account (NaN where the input is missing)."""
    column = accounts[component.field]
    if component.mapping is not None:
        # Inputs repeat few distinct values, so map each once and spread by code.
        codes, uniques = pd.factorize(column)
        mapped = pd.Series(uniques).map(dict(component.mapping)).to_numpy(float)
        values = np.append(mapped, np.nan)[codes]
    else:
        raw = pd.to_numeric(column, errors="coerce").to_numpy(float)
        values = np.clip((raw - component.min) / (component.max - component.min), 0.0, 1.0)
    return 1.0 - values if component.invert else values


def needs_scores(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the score (0–100, one decimal) and each component's effective weight.

    `values` holds one normalised column per component. A missing input's weight
    is shared among the account's other components by renormalising row by row;
    an account with no input at all gets a NaN score.
    """
    columns = [values[:, i] for i in range(values.shape[1])]
    score, effective = _weighted_score(columns, weights)
    return score, np.column_stack(effective)


def _weighted_score(
    columns: list[np.ndarray], weights: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    # Column by column, each sum taken in component order: the same numbers as
    # summing each row, without striding over one short row per account.
    present = [~np.isnan(column) for column in columns]
    effective = [np.where(has, weight, 0.0) for has, weight in zip(present, weights, strict=True)]
    total = _in_order_sum(effective)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = [np.where(total > 0, part / total, 0.0) for part in effective]
    weighted = [
        np.where(has, column, 0.0) * part
        for column, has, part in zip(columns, present, effective, strict=True)
    ]
    raw_score = 100.0 * _in_order_sum(weighted)
    return np.round(np.where(total > 0, raw_score, np.nan), 1), effective


def _in_order_sum(parts: list[np.ndarray]) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def evaluate_needs(
    scheme: NeedsScheme, accounts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Score each account's needs and place it at the thresholds."""
    columns = [normalise(c, accounts) for c in scheme.components]
    weights = np.array([c.weight for c in scheme.components], dtype=float)
    score, effective = _weighted_score(columns, weights)
    position = band_index(score, scheme.thresholds)
    names = np.array([*scheme.tiers, scheme.default], dtype=object)
    position = np.where(position < 0, len(scheme.tiers), position)
    explanation = (
        _explanations(scheme, np.column_stack(columns), np.column_stack(effective), score, position)
        if explain
        else None
    )
    return tier_frame(accounts, names[position], explanation, score)


def _explanations(
    scheme: NeedsScheme,
    values: np.ndarray,
    effective: np.ndarray,
    score: np.ndarray,
    position: np.ndarray,
) -> np.ndarray:
    shown = [i for i, c in enumerate(scheme.components) if c.weight > 0]
    percent = np.rint(effective * 100).astype(np.int64)
    factor = np.where(np.isnan(values), 101, np.rint(np.nan_to_num(values) * 100)).astype(np.int64)
    score_code = np.where(np.isnan(score), 1001, np.rint(np.nan_to_num(score) * 10)).astype(
        np.int64
    )
    keys = [score_code] + [percent[:, i] * 102 + factor[:, i] for i in shown]

    pieces = [_piece_table(scheme.components[i].name, first=i == shown[0]) for i in shown]
    heads = _score_heads()
    tails = np.array([f"){threshold_text(band)}" for band in scheme.thresholds], dtype=object)

    def render(rows: np.ndarray) -> np.ndarray:
        code = position[rows]
        scored = code < len(tails)
        text = heads[np.where(scored, score_code[rows], 0)]
        for table, i in zip(pieces, shown, strict=True):
            text = join(text, table[percent[rows, i] * 102 + factor[rows, i]])
        text = join(text, tails[np.minimum(code, len(tails) - 1)])
        return np.where(scored, text, f"No needs inputs → default {scheme.default}")

    return render_grouped(keys, render)


@cache
def _score_heads() -> np.ndarray:
    return _frozen(
        np.array([f"Needs score {t} (" for t in format_decimal(np.arange(1001) / 10)], dtype=object)
    )


@lru_cache(maxsize=256)
def _piece_table(name: str, first: bool) -> np.ndarray:
    # Every (effective weight %, factor) pair is rendered once up front, so rows
    # only look their piece up; index 101 of a factor means the input is missing.
    # Cached by component name: a run explains the same scheme again for its changes.
    lead = "" if first else ", "
    pieces = [
        f"{lead}{name} n/a" if factor == 101 else f"{lead}{name}{_PERCENT[pct]}{_FACTOR[factor]}"
        for pct in range(101)
        for factor in range(102)
    ]
    return _frozen(np.array(pieces, dtype=object))


def _frozen(table: np.ndarray) -> np.ndarray:
    # Cached tables are shared between calls: make sure none is written to.
    table.flags.writeable = False
    return table


def threshold_text(band: Band) -> str:
    """Describe the threshold a score met, e.g. " ≥ 67 → High"."""
    if band.min is not None:
        return f" ≥ {band.min:g} → {band.tier}"
    if band.max is not None:
        return f" < {band.max:g} → {band.tier}"
    return f" → {band.tier}"
