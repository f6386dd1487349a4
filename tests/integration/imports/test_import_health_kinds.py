"""Touches and plan milestones import: right rows land, bad rows are named, nothing written."""

from datetime import UTC, date, datetime

import pytest

from cstier.extensions import db
from cstier.models import AccountOnboarding, OnboardingMilestone, Touch
from cstier.services.onboarding.check import check_onboarding
from tests.factories import AccountFactory

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MILESTONES = "external_id,account_external_id,name,completed_on,plan_milestone"


@pytest.fixture
def onboarding(db_session, csm):
    account = AccountFactory(
        external_id="AC-1", lifecycle_stage="onboarding", contract_start_date=date(2026, 2, 1)
    )
    AccountFactory(external_id="AC-2", lifecycle_stage="active")
    check_onboarding(db.session, NOW)
    return account


def test_touches_import(onboarding, csm, write_file, run_import):
    path = write_file(
        "t.csv",
        "external_id,account_external_id,kind,occurred_on,csm_email,note\n"
        f"T-1,AC-1,qbr,2026-02-10,{csm.email},Kickoff QBR\n"
        "T-2,AC-2,email,2026-02-11,,\n",
    )
    outcome = run_import("touches", path)
    assert outcome.ok and outcome.created == 2, outcome.errors.as_json()
    touch = db.session.query(Touch).filter_by(external_id="T-1").one()
    assert touch.kind == "qbr" and touch.csm_id == csm.id and touch.occurred_on == date(2026, 2, 10)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("T-1,AC-1,lunch,2026-02-10", "kind"),
        ("T-1,AC-1,call,10.02.2026x", "occurred_on"),
        ("T-1,AC-9,call,2026-02-10", "account_external_id"),
    ],
)
def test_bad_touch_rows_are_named(onboarding, write_file, run_import, row, column):
    path = write_file("t.csv", "external_id,account_external_id,kind,occurred_on\n" + row + "\n")
    outcome = run_import("touches", path)
    assert not outcome.ok
    (error,) = outcome.errors.items
    assert (error.row, error.column) == (2, column)  # the spreadsheet's row: header = 1
    assert db.session.query(Touch).count() == 0


def test_plan_milestone_fills_the_step(onboarding, write_file, run_import):
    path = write_file("m.csv", f"{MILESTONES}\nM-1,AC-1,Kickoff call,2026-02-03,kickoff\n")
    outcome = run_import("milestones", path)
    assert outcome.ok, outcome.errors.as_json()
    assert db.session.query(OnboardingMilestone).one().plan_milestone == "kickoff"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("M-1,AC-1,Go live,2026-02-03,go_live", "plan_milestone", "not a milestone"),
        ("M-1,AC-1,Kickoff,2026-01-20,kickoff", "completed_on", "before the onboarding started"),
        ("M-1,AC-2,Kickoff,2026-02-03,kickoff", "plan_milestone", "no onboarding"),
    ],
)
def test_bad_milestone_rows_are_named(onboarding, write_file, run_import, row, column, reason):
    path = write_file("m.csv", f"{MILESTONES}\n{row}\n")
    outcome = run_import("milestones", path)
    assert not outcome.ok
    (error,) = outcome.errors.items
    assert (error.row, error.column) == (2, column)  # the spreadsheet's row: header = 1
    assert reason in error.reason
    assert db.session.query(OnboardingMilestone).count() == 0
    assert db.session.get(AccountOnboarding, onboarding.id).status != "completed"
