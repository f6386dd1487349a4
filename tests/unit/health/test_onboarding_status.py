"""Onboarding status transitions and time to first value, by hand."""

from datetime import date, timedelta

import pandas as pd
import pytest

from cstier.domain.onboarding.plans import DEFAULT_MILESTONES, PlanInvalid, parse_plan
from cstier.domain.onboarding.status import onboarding_status, onboarding_summary

START = date(2026, 1, 1)


def _steps(completed: dict[str, date], stall=21, overdue=14) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "account_id": 1,
                "start_date": START,
                "due_date": START + timedelta(days=m["target_days"]),
                "completed_on": completed.get(m["key"]),
                "first_value": m["first_value"],
                "stall_days": stall,
                "overdue_days": overdue,
            }
            for m in DEFAULT_MILESTONES
        ]
    )


@pytest.mark.parametrize(
    ("today", "completed", "status"),
    [
        (date(2026, 1, 5), {}, "on_track"),  # nothing due yet, 4 days in
        (date(2026, 1, 10), {}, "at_risk"),  # kickoff due on the 8th, 2 days late
        (date(2026, 1, 23), {}, "stalled"),  # 22 days without a completion (> 21)
        (date(2026, 1, 20), {"kickoff": date(2026, 1, 6)}, "on_track"),
        # kickoff done; setup due on the 22nd, 15 days late (> 14) although a step was done lately
        (date(2026, 2, 6), {"kickoff": date(2026, 1, 6), "technical_setup": None}, "stalled"),
        (date(2026, 1, 20), {"kickoff": date(2026, 1, 25)}, "at_risk"),  # future completion
    ],
)
def test_status_transitions(today, completed, status):
    assert onboarding_status(_steps(completed), today).loc[1, "status"] == status


def test_completed_and_time_to_first_value():
    done = {
        m["key"]: date(2026, 1, 2) + timedelta(days=m["target_days"]) for m in DEFAULT_MILESTONES
    }
    out = onboarding_status(_steps(done), date(2026, 6, 1)).loc[1]
    assert out["status"] == "completed"
    assert out["first_value_on"] == date(2026, 2, 16)  # start + 45 days + 1
    assert out["time_to_first_value"] == 46
    assert out["completed_on"] == date(2026, 4, 2)


def test_summary_per_segment():
    frame = pd.DataFrame(
        {
            "segment": ["A", "A", "A", "B"],
            "status": ["completed", "on_track", "stalled", "at_risk"],
            "start_date": [date(2026, 1, 1)] * 4,
            "completed_on": [date(2026, 3, 1), None, None, None],
            "time_to_first_value": [30, 50, None, None],
            "target_days": [90, 90, 90, 90],
        }
    )
    out = onboarding_summary(frame, date(2026, 6, 1))
    assert out.loc["A", "onboarding"] == 2 and out.loc["A", "stalled"] == 1
    assert out.loc["A", "on_track_share"] == 0.5
    assert out.loc["A", "ttfv_median"] == 40
    assert out.loc["A", "ttfv_p80"] == pytest.approx(46)
    assert out.loc["A", "on_time_rate"] == pytest.approx(1 / 3)
    assert out.loc["B", "on_track_share"] == 0


def test_plan_needs_one_first_value_milestone():
    steps = [dict(m, first_value=False) for m in DEFAULT_MILESTONES]
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(steps, 21, 14)
    assert caught.value.field == "milestones"
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(DEFAULT_MILESTONES, "soon", 14)
    assert caught.value.field == "stall_days"
