"""Hysteresis: keep an account's current tier until a change is clear, to stop flapping."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cstier.domain.tiering.align import aligned_positions, tiers_at
from cstier.domain.tiering.explain import join, to_str_series
from cstier.domain.tiering.schemes import (
    BandScheme,
    Hysteresis,
    NeedsScheme,
    PercentileScheme,
    Scheme,
)
from cstier.domain.tiering.value import amount


def apply_hysteresis(
    proposed: pd.DataFrame,
    current: pd.DataFrame,
    scheme: Scheme,
    hysteresis: Hysteresis | None = None,
) -> pd.DataFrame:
    """Return `proposed` with tiers held back where the change is not yet clear.

    `current` has account_id and tier, plus pending_tier and pending_count for
    the runs kind. The result gains `held` (tier kept by hysteresis) and, for
    the runs kind, the updated pending_tier and pending_count.
    """
    hysteresis = hysteresis or scheme.hysteresis
    # Copy-on-write: columns set below replace the copy's, never `proposed`'s.
    result = proposed.copy(deep=False)
    result["held"] = False
    if hysteresis is None:
        return result
    if hysteresis.runs is not None:
        before = current.set_index("account_id").reindex(proposed["account_id"])
        return _by_runs(result, before, before["tier"].to_numpy(object), hysteresis.runs)
    current_tier = _current_tier(current, proposed["account_id"])
    if not isinstance(scheme, BandScheme | PercentileScheme | NeedsScheme):
        raise ValueError(
            "A margin needs a scheme with a measured value (bands, percentiles, needs)."
        )
    return _by_margin(result, current_tier, scheme, hysteresis.margin_pct or 0.0)


def _by_margin(
    result: pd.DataFrame,
    current_tier: np.ndarray,
    scheme: BandScheme | PercentileScheme | NeedsScheme,
    margin: float,
) -> pd.DataFrame:
    rank = {tier: position for position, tier in enumerate(scheme.tiers)}
    proposed_tier = result["tier"].to_numpy(object)
    all_scores = result["score"].to_numpy(float)
    lower, upper = _edges(scheme, result, all_scores)
    # Only an account whose tier would change can be held, so rank just those.
    moving = np.flatnonzero(current_tier != proposed_tier)
    now = _ranks(current_tier[moving], rank)
    wanted = _ranks(proposed_tier[moving], rank)
    score = all_scores[moving]
    known = ~np.isnan(now) & ~np.isnan(wanted) & ~np.isnan(score)
    slot = np.where(known, now, 0).astype(np.intp)
    factor = margin / 100.0
    # An account leaves its tier only by clearing the edge by more than the margin.
    up_edge = upper[slot] + np.abs(upper[slot]) * factor
    down_edge = lower[slot] - np.abs(lower[slot]) * factor
    kept = known & (((wanted < now) & (score < up_edge)) | ((wanted > now) & (score >= down_edge)))
    held = np.zeros(len(result), dtype=bool)
    held[moving[kept]] = True
    shown = amount if isinstance(scheme, BandScheme | PercentileScheme) else "{:g}".format
    up_text = np.array([shown(v) if np.isfinite(v) else "" for v in upper], dtype=object)
    down_text = np.array([shown(v) if np.isfinite(v) else "" for v in lower], dtype=object)
    edge_text = np.where(wanted < now, up_text[slot], down_text[slot])
    notes = join(
        "Kept ",
        current_tier[held],
        f": within {margin:g}% of the boundary ",
        edge_text[kept],
        " — proposed ",
        _proposed(result, held),
    )
    return _hold(result, held, current_tier, notes)


def _current_tier(current: pd.DataFrame, account_ids: pd.Series) -> np.ndarray:
    """Return each proposed account's current tier as objects, NaN where it has none."""
    positions = aligned_positions(current["account_id"], account_ids)
    if positions is None:
        # Misaligned ids: reindex (which refuses ids stored twice, as it always has).
        return current.set_index("account_id")["tier"].reindex(account_ids).to_numpy(object)
    return tiers_at(current["tier"], positions)


def _ranks(tiers: np.ndarray, rank: dict[str, int]) -> np.ndarray:
    """Return each tier's position in the scheme (NaN if missing or not the scheme's)."""
    codes, names = pd.factorize(tiers)
    table = np.array([rank.get(name, np.nan) for name in names] + [np.nan], dtype=float)
    return table[codes]


def _edges(
    scheme: BandScheme | PercentileScheme | NeedsScheme, result: pd.DataFrame, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(scheme, PercentileScheme):
        # Percentile boundaries move with the data: use this run's lowest value per tier.
        floors = pd.Series(score).groupby(result["tier"].to_numpy(object)).min()
        lower = np.array([floors.get(tier, np.nan) for tier in scheme.tiers], dtype=float)
        lower[-1] = -np.inf
        upper = np.concatenate([[np.inf], lower[:-1]])
        return lower, upper
    bands = scheme.bands if isinstance(scheme, BandScheme) else scheme.thresholds
    lower = np.array([-np.inf if b.min is None else b.min for b in bands], dtype=float)
    upper = np.array([np.inf if b.max is None else b.max for b in bands], dtype=float)
    return lower, upper


def _by_runs(
    result: pd.DataFrame, before: pd.DataFrame, current_tier: np.ndarray, runs: int
) -> pd.DataFrame:
    wanted = result["tier"].to_numpy(object)
    pending_tier = _column(before, "pending_tier", None).to_numpy(object)
    pending_count = _column(before, "pending_count", 0).fillna(0).to_numpy(np.int64)
    has_current = pd.notna(current_tier)
    changing = has_current & (wanted != current_tier)
    count = np.where(changing & (pending_tier == wanted), pending_count + 1, 1)
    held = changing & (count < runs)
    notes = join(
        "Kept ",
        current_tier[held],
        ": ",
        wanted[held],
        " proposed ",
        count[held].astype(str).astype(object),
        f" of {runs} runs in a row — proposed ",
        _proposed(result, held),
    )
    result = _hold(result, held, current_tier, notes)
    result["pending_tier"] = to_str_series(np.where(held, wanted, None), result.index)
    result["pending_count"] = np.where(held, count, 0)
    return result


def _proposed(result: pd.DataFrame, held: np.ndarray) -> np.ndarray | str:
    # Without explanations (a run explains only changed rows) there is no note to write.
    if "explanation" in result.columns:
        return result["explanation"].to_numpy(object)[held]
    return ""


def _column(frame: pd.DataFrame, name: str, fill: object) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(fill, index=frame.index)


def _hold(
    result: pd.DataFrame, held: np.ndarray, current_tier: np.ndarray, notes: np.ndarray
) -> pd.DataFrame:
    tiers = result["tier"].to_numpy(object).copy()
    tiers[held] = current_tier[held]
    result["tier"] = to_str_series(tiers, result.index)
    if "explanation" in result.columns:
        explanation = result["explanation"].to_numpy(object).copy()
        explanation[held] = notes
        result["explanation"] = to_str_series(explanation, result.index)
    result["held"] = held
    return result
