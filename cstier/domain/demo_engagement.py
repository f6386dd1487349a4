"""Demo usage trends, touches and onboarding completions, so health has something to score."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cstier.domain.onboarding.plans import DEFAULT_MILESTONES

USAGE_MONTHS = 8
TOUCH_DAYS = 180
KINDS = np.array(["call", "meeting", "qbr", "email"])
STALLED_SHARE = 0.25


@dataclass(frozen=True)
class DemoEngagement:
    """Usage figures, touches and completed onboarding milestones, as table rows."""

    usage: pd.DataFrame
    touches: pd.DataFrame
    milestones: pd.DataFrame


def _usage(rng: np.random.Generator, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Monthly weekly-active users (declining for at-risk accounts) and support tickets."""
    n = len(accounts)
    months = pd.period_range(end=pd.Timestamp(as_of).to_period("M"), periods=USAGE_MONTHS, freq="M")
    at_risk = (accounts["lifecycle_stage"].astype(str) == "at_risk").to_numpy()
    base = np.exp(rng.normal(3.2, 0.6, n)) * (1 + (accounts["arr_cents"].to_numpy() > 75_000_00))
    slope = np.where(at_risk, rng.uniform(-0.15, -0.05, n), rng.normal(0.02, 0.04, n))
    step = np.arange(USAGE_MONTHS) - (USAGE_MONTHS - 1)
    wau = (
        base[:, None]
        * np.exp(slope[:, None] * step[None, :])
        * rng.normal(1, 0.05, (n, USAGE_MONTHS))
    )
    tickets = rng.poisson(np.where(at_risk, 6.0, 2.0)[:, None], (n, USAGE_MONTHS))
    ids = np.repeat(accounts["id"].to_numpy(), USAGE_MONTHS)
    starts = np.tile(months.to_timestamp().date, n)
    return pd.concat(
        [
            pd.DataFrame({"account_id": ids, "metric": "weekly_active_users",
                          "period_start": starts, "value": np.round(wau.ravel(), 1)}),
            pd.DataFrame({"account_id": ids, "metric": "support_tickets",
                          "period_start": starts, "value": tickets.ravel().astype(float)}),
        ],
        ignore_index=True,
    )  # fmt: skip


def _touches(rng: np.random.Generator, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """A few touches per account over the last half year; more for larger accounts."""
    big = accounts["arr_cents"].to_numpy() > 75_000_00
    counts = rng.poisson(np.where(big, 6.0, 2.0))
    ids = np.repeat(accounts["id"].to_numpy(), counts)
    csm = np.repeat(accounts["csm_id"].to_numpy(dtype="float64", na_value=np.nan), counts)
    back = rng.integers(1, TOUCH_DAYS, len(ids))
    kind = KINDS[rng.choice(4, len(ids), p=[0.35, 0.25, 0.1, 0.3])]
    return pd.DataFrame(
        {
            "account_id": ids,
            "kind": kind,
            "occurred_on": (pd.Timestamp(as_of) - pd.to_timedelta(back, unit="D")).date,
            "csm_id": pd.Series(csm).astype("Int64"),
            "note": "",
        }
    )


def _milestones(rng: np.random.Generator, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Completed steps of accounts in onboarding; a quarter of them stall after a step or two."""
    new = accounts[accounts["lifecycle_stage"].astype(str) == "onboarding"]
    n, steps = len(new), len(DEFAULT_MILESTONES)
    start = pd.to_datetime(new["contract_start_date"]).to_numpy()
    target = np.array([m["target_days"] for m in DEFAULT_MILESTONES])
    late = rng.integers(-5, 12, (n, steps))
    done_on = start[:, None] + (target[None, :] + late).astype("timedelta64[D]")
    stop = np.where(rng.random(n) < STALLED_SHARE, rng.integers(0, 3, n), steps)
    done = (np.arange(steps)[None, :] < stop[:, None]) & (done_on < np.datetime64(as_of))
    rows, cols = np.nonzero(done)
    keys = np.array([m["key"] for m in DEFAULT_MILESTONES])
    names = np.array([m["name"] for m in DEFAULT_MILESTONES])
    account_ids = new["id"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "external_id": [
                f"demo-ms-{a}-{k}" for a, k in zip(account_ids, keys[cols], strict=True)
            ],
            "account_id": account_ids,
            "name": names[cols],
            "due_date": pd.to_datetime(start[rows] + target[cols].astype("timedelta64[D]")).date,
            "completed_on": pd.to_datetime(done_on[rows, cols]).date,
            "plan_milestone": keys[cols],
        }
    )


def generate_engagement(accounts: pd.DataFrame, seed: int, as_of: date) -> DemoEngagement:
    """Generate usage, touches and onboarding completions for the demo accounts."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 19]))
    return DemoEngagement(
        _usage(rng, accounts, as_of),
        _touches(rng, accounts, as_of),
        _milestones(rng, accounts, as_of),
    )
