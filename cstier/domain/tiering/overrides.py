"""Manual overrides: a person's tier decision wins until it expires."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from cstier.domain.tiering.explain import join, to_str_series


def apply_overrides(
    result: pd.DataFrame, overrides: pd.DataFrame, as_of: datetime | pd.Timestamp
) -> pd.DataFrame:
    """Return `result` with active overrides applied and flagged in `overridden`.

    `overrides` has account_id, tier, reason and expires_at (NaT: no expiry).
    An override is active while `as_of` is before its expiry; when an account
    has several active ones, the last row wins, so pass them oldest first.
    """
    # Copy-on-write: columns set below replace the copy's, never the caller's.
    result = result.copy(deep=False)
    result["overridden"] = False
    expires = _utc(overrides["expires_at"])
    active = overrides[expires.isna().to_numpy() | (expires > _utc_stamp(as_of)).to_numpy()]
    active = active.drop_duplicates("account_id", keep="last").set_index("account_id")
    if active.empty:
        return result
    chosen = active.reindex(result["account_id"])
    hit = chosen["tier"].notna().to_numpy()
    until = _utc(chosen["expires_at"][hit]).dt.strftime("until %Y-%m-%d").fillna("no expiry")
    reasons = chosen["reason"][hit].fillna("no reason given").to_numpy(object)
    notes = join("Override: ", reasons, " (", until.to_numpy(object), ")")
    tiers = result["tier"].to_numpy(object).copy()
    # Results evaluated without explanations get them later; the override's note is set now.
    explanation = (
        result["explanation"].to_numpy(object).copy()
        if "explanation" in result.columns
        else np.full(len(result), None, dtype=object)
    )
    tiers[hit] = chosen["tier"].to_numpy(object)[hit]
    explanation[hit] = notes
    result["tier"] = to_str_series(tiers, result.index)
    result["explanation"] = to_str_series(explanation, result.index)
    result["overridden"] = hit
    return result


def _utc(values: pd.Series) -> pd.Series:
    # Naive timestamps are taken as UTC, the way the database stores times.
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dtype, "tz", None) is None:
        return stamps.dt.tz_localize("UTC")
    return stamps.dt.tz_convert("UTC")


def _utc_stamp(as_of: datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(as_of)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
