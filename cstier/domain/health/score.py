"""Score a book of accounts against a scorecard, column by column."""

import numpy as np
import pandas as pd

from cstier.domain.health.scorecard import INSUFFICIENT, Measure, Scorecard


def measure_points(measure: Measure, values: pd.Series) -> pd.Series:
    """Map a measure's input to 0-100 points; a missing input stays missing."""
    x = values.astype("float64")
    if measure.kind == "linear":
        points = (x - measure.low) / (measure.high - measure.low) * 100
        return points.clip(0, 100)
    floors = np.array([b[0] for b in measure.bands])
    table = np.array([0.0] + [b[1] for b in measure.bands])
    # searchsorted right: the last band whose floor is at or below the value; below all is 0.
    picked = table[np.searchsorted(floors, x.to_numpy(), side="right")]
    return pd.Series(picked, index=x.index).where(x.notna())


def score_frame(inputs: pd.DataFrame, scorecard: Scorecard) -> pd.DataFrame:
    """Return score, coverage, band and each measure's points and contribution per account.

    A missing input drops out and its weight is shared among the measures with data, so
    contributions always sum to the score; coverage is the share of weight that had data.
    """
    weights = np.array([m.weight for m in scorecard.measures], dtype="float64") / 100
    points = pd.DataFrame(
        {
            m.key: measure_points(m, inputs[m.input])
            if m.input in inputs
            else pd.Series(np.nan, index=inputs.index)
            for m in scorecard.measures
        },
        index=inputs.index,
    )
    present = points.notna().to_numpy()
    coverage = present @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(present, weights, 0.0) / coverage[:, None]
    shares = np.nan_to_num(shares)
    contributions = np.nan_to_num(points.to_numpy()) * shares
    score = contributions.sum(axis=1)
    enough = (coverage >= scorecard.min_coverage) & (coverage > 0)
    out = pd.DataFrame(
        {"score": np.where(coverage > 0, score, np.nan), "coverage": coverage}, index=inputs.index
    )
    out["enough"] = enough
    for i, m in enumerate(scorecard.measures):
        out[f"points.{m.key}"] = points[m.key]
        out[f"share.{m.key}"] = shares[:, i]
        out[f"contribution.{m.key}"] = contributions[:, i]
    return out


def raw_band(score: pd.Series, enough: pd.Series, scorecard: Scorecard) -> pd.Series:
    """Return red / yellow / green by the thresholds alone, or insufficient."""
    band = np.select(
        [score < scorecard.red_below, score >= scorecard.green_at], ["red", "green"], "yellow"
    )
    return pd.Series(np.where(enough, band, INSUFFICIENT), index=score.index)
