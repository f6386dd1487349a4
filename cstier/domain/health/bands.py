"""Bands with hysteresis, and a manager's override on top."""

from datetime import date

import numpy as np
import pandas as pd

from cstier.domain.health.score import raw_band
from cstier.domain.health.scorecard import INSUFFICIENT, Scorecard


def banded(
    score: pd.Series, enough: pd.Series, previous: pd.Series, scorecard: Scorecard
) -> pd.Series:
    """Return each account's band; an account keeps its previous band within the margin of it.

    Green stays green until the score falls below green_at - margin, red stays red until it
    reaches red_below + margin, and yellow holds until the score passes a threshold by the margin.
    """
    m = scorecard.hysteresis
    raw = raw_band(score, enough, scorecard)
    prev = previous.reindex(score.index)
    keep = (
        ((prev == "green") & (score >= scorecard.green_at - m))
        | ((prev == "red") & (score < scorecard.red_below + m))
        | (
            (prev == "yellow")
            & (score >= scorecard.red_below - m)
            & (score < scorecard.green_at + m)
        )
    )
    keep &= enough & (raw != INSUFFICIENT)
    return pd.Series(np.where(keep, prev, raw), index=score.index)


def with_overrides(band: pd.Series, overrides: pd.DataFrame, on: date) -> pd.Series:
    """Return the band an override sets where one holds on the day, else the computed band.

    `overrides` has account_id, band, expires_on (None: no expiry); expiry is exclusive.
    """
    if overrides.empty:
        return band
    expires = pd.to_datetime(overrides["expires_on"])
    live = overrides[expires.isna() | (expires > pd.Timestamp(on))]
    live = live.drop_duplicates("account_id", keep="last").set_index("account_id")["band"]
    out = band.copy()
    hit = out.index.isin(live.index)
    out[hit] = live.reindex(out.index[hit]).to_numpy()
    return out
