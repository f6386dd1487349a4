"""Engagement: days since each account's last touch, and whether its cadence was kept."""

from datetime import date

import numpy as np
import pandas as pd

TOUCH_KINDS = {"call": "Call", "meeting": "Meeting", "qbr": "QBR", "email": "Email"}

# Coverage model key -> (touch kind or None for any, every N days); tech-touch is digital only.
DEFAULT_CADENCES = {"high_touch": ("qbr", 92), "pooled": (None, 31)}


def engagement_inputs(
    accounts: pd.DataFrame, touches: pd.DataFrame, cadences: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """Return days_since_touch and cadence_kept (100 / 0, missing without a cadence) per account.

    `accounts` is indexed by account id with coverage_model_id; `touches` has account_id,
    kind, occurred_on (only touches before `as_of` count); `cadences` has coverage_model_id,
    touch_kind, every_days. The cadence is kept when a touch of its kind (any kind when
    none) happened within every_days before `as_of`.
    """
    kinds = sorted(set(cadences["touch_kind"].dropna()))
    return engagement_from_latest(accounts, latest_touches(touches, as_of, kinds), cadences, as_of)


def latest_touches(touches: pd.DataFrame, as_of: date, kinds: list[str]) -> pd.DataFrame:
    """Return per touched account the day of its last touch before `as_of` ("any") and of each kind.

    This is what the database aggregates per account when the whole book is scored.
    """
    day = pd.Timestamp(as_of)
    when = pd.to_datetime(touches["occurred_on"])
    past = touches.assign(when=when)[when < day]
    latest = pd.DataFrame({"any": past.groupby("account_id")["when"].max()})
    for kind in kinds:
        latest[kind] = past[past["kind"] == kind].groupby("account_id")["when"].max()
    return latest


def engagement_from_latest(
    accounts: pd.DataFrame, latest: pd.DataFrame, cadences: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """Return engagement_inputs from each account's last touch days (`latest_touches`' frame)."""
    day = pd.Timestamp(as_of)
    last_any = pd.to_datetime(latest["any"]).reindex(accounts.index)
    days_since = (day - last_any).dt.days
    rule = cadences.set_index("coverage_model_id").reindex(accounts["coverage_model_id"])
    kind = rule["touch_kind"].to_numpy(dtype=object)
    every = rule["every_days"].to_numpy(dtype="float64")
    last = last_any.to_numpy(copy=True)
    for name in pd.unique(kind[~pd.isna(kind)]):
        of_kind = kind == name
        if name in latest.columns:
            last[of_kind] = pd.to_datetime(latest[name]).reindex(accounts.index).to_numpy()[of_kind]
        else:
            last[of_kind] = np.datetime64("NaT")
    gap = (day - pd.to_datetime(pd.Series(last, index=accounts.index))).dt.days
    kept = np.where(gap.notna() & (gap <= every), 100.0, 0.0)
    return pd.DataFrame(
        {
            "days_since_touch": days_since.astype("float64"),
            "cadence_kept": np.where(np.isnan(every), np.nan, kept),
        },
        index=accounts.index,
    )


def cadence_compliance(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return accounts with a cadence, those that kept it, and the share, per value of `by`."""
    ruled = frame[frame["cadence_kept"].notna()]
    grouped = ruled.assign(kept=ruled["cadence_kept"] > 0).groupby(
        ruled[by].astype(object).fillna("(none)"), sort=True
    )
    out = pd.DataFrame({"accounts": grouped.size(), "kept": grouped["kept"].sum()})
    out["share"] = out["kept"] / out["accounts"]
    return out
