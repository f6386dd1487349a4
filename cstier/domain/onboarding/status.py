"""Each onboarding's status on a day, and the per-segment figures, over whole frames."""

from datetime import date

import numpy as np
import pandas as pd


def onboarding_status(steps: pd.DataFrame, today: date) -> pd.DataFrame:
    """Return status, first_value_on and completed_on per account from its plan's steps.

    `steps` has one row per account and plan milestone: account_id, start_date, due_date,
    completed_on (None while open), first_value, stall_days, overdue_days. A completion
    dated after `today` has not happened yet. Completed: every step done. Stalled: nothing
    completed for stall_days (counting from the start), or a step overdue by more than
    overdue_days. At risk: a step overdue. On track otherwise.
    """
    day = pd.Timestamp(today)
    done_on = pd.to_datetime(steps["completed_on"])
    done_on = done_on.where(done_on <= day)
    due = pd.to_datetime(steps["due_date"])
    open_step = done_on.isna()
    late_days = ((day - due).dt.days).where(open_step & (due < day), 0)
    frame = pd.DataFrame(
        {
            "account_id": steps["account_id"].to_numpy(),
            "start": pd.to_datetime(steps["start_date"]).to_numpy(),
            "done_on": done_on.to_numpy(),
            "open": open_step.to_numpy(),
            "late_days": late_days.to_numpy(),
            "value_on": done_on.where(steps["first_value"].astype(bool)).to_numpy(),
            "stall_days": steps["stall_days"].to_numpy(),
            "overdue_days": steps["overdue_days"].to_numpy(),
        }
    )
    per = frame.groupby("account_id").agg(
        start=("start", "first"),
        last_done=("done_on", "max"),
        open_steps=("open", "sum"),
        worst_late=("late_days", "max"),
        first_value_on=("value_on", "min"),
        stall_days=("stall_days", "first"),
        overdue_days=("overdue_days", "first"),
    )
    since = (day - per["last_done"].fillna(per["start"])).dt.days
    completed = per["open_steps"] == 0
    stalled = (since > per["stall_days"]) | (per["worst_late"] > per["overdue_days"])
    status = np.select(
        [completed, stalled, per["worst_late"] > 0], ["completed", "stalled", "at_risk"], "on_track"
    )
    out = pd.DataFrame(
        {
            "status": status,
            "first_value_on": per["first_value_on"].dt.date,
            "completed_on": per["last_done"].where(completed).dt.date,
            "time_to_first_value": (per["first_value_on"] - per["start"]).dt.days,
        },
        index=per.index,
    )
    return out.astype({"first_value_on": object, "completed_on": object}).where(out.notna(), None)


def onboarding_summary(onboardings: pd.DataFrame, today: date) -> pd.DataFrame:
    """Return per segment: onboarding, % on track, stalled, TTFV median and p80, on-time rate.

    `onboardings` has segment, status, start_date, completed_on, time_to_first_value and
    target_days (the plan's last target). The on-time rate is over onboardings whose target
    day has passed: the share completed by it.
    """
    frame = onboardings.assign(segment=onboardings["segment"].astype(object).fillna("(none)"))
    start = pd.to_datetime(frame["start_date"])
    target = start + pd.to_timedelta(frame["target_days"], unit="D")
    completed = pd.to_datetime(frame["completed_on"])
    frame = frame.assign(
        active=frame["status"] != "completed",
        on_track=frame["status"] == "on_track",
        stalled=frame["status"] == "stalled",
        due=target <= pd.Timestamp(today),
        on_time=(target <= pd.Timestamp(today)) & completed.notna() & (completed <= target),
        ttfv=pd.to_numeric(frame["time_to_first_value"], errors="coerce"),
    )
    grouped = frame.groupby("segment", sort=True)
    out = pd.DataFrame(
        {
            "onboarding": grouped["active"].sum(),
            "on_track": grouped["on_track"].sum(),
            "stalled": grouped["stalled"].sum(),
            "ttfv_median": grouped["ttfv"].median(),
            "ttfv_p80": grouped["ttfv"].quantile(0.8),
            "due": grouped["due"].sum(),
            "on_time": grouped["on_time"].sum(),
        }
    )
    out["on_track_share"] = (out["on_track"] / out["onboarding"]).where(out["onboarding"] > 0)
    out["on_time_rate"] = (out["on_time"] / out["due"]).where(out["due"] > 0)
    return out
