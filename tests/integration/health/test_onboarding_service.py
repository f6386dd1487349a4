"""Onboarding services on a real database: start, check, complete, plans, segment figures."""

from datetime import UTC, date, datetime

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountOnboarding, OnboardingMilestone
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.onboarding.check import check_onboarding
from cstier.services.onboarding.plans import list_plans, save_plan
from cstier.services.onboarding.progress import account_onboarding, complete_milestone
from cstier.services.onboarding.segments import onboarding_by_segment
from tests.factories import AccountFactory

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def new_accounts(db_session, csm):
    ensure_default_coverage(db.session)
    db.session.commit()
    return [
        AccountFactory(lifecycle_stage="onboarding", contract_start_date=date(2026, 2, 1), csm=csm),
        AccountFactory(lifecycle_stage="onboarding", contract_start_date=date(2026, 1, 1)),
        AccountFactory(lifecycle_stage="active"),
    ]


def test_check_starts_onboardings_and_sets_statuses(new_accounts):
    result = check_onboarding(db.session, NOW)
    assert result.started == 2 and result.checked == 2
    fresh = db.session.get(AccountOnboarding, new_accounts[0].id)
    old = db.session.get(AccountOnboarding, new_accounts[1].id)
    # a month in without a completion (> 21 days): stalled; two months in: stalled as well
    assert fresh.status == "stalled" and old.status == "stalled"
    assert db.session.get(AccountOnboarding, new_accounts[2].id) is None
    assert check_onboarding(db.session, NOW).started == 0


def test_completing_steps_moves_status_and_first_value(new_accounts, csm):
    check_onboarding(db.session, NOW)
    actor = Actor(csm.id, "csm")
    account_id = new_accounts[0].id
    complete_milestone(db.session, actor, account_id, "kickoff", date(2026, 2, 5), NOW)
    complete_milestone(db.session, actor, account_id, "technical_setup", date(2026, 2, 20), NOW)
    assert db.session.get(AccountOnboarding, account_id).status == "on_track"
    complete_milestone(db.session, actor, account_id, "first_value", date(2026, 2, 25), NOW)
    progress = account_onboarding(db.session, actor, account_id)
    assert progress.first_value_on == date(2026, 2, 25) and progress.time_to_first_value == 24
    assert progress.done == 3 and [s.key for s in progress.steps][0] == "kickoff"
    # completing the same step again moves its day, it does not add a row
    complete_milestone(db.session, actor, account_id, "kickoff", date(2026, 2, 6), NOW)
    assert db.session.query(OnboardingMilestone).filter_by(account_id=account_id).count() == 3


@pytest.mark.parametrize(
    ("key", "day", "field"),
    [
        ("kickoff", date(2026, 1, 31), "completed_on"),  # before the onboarding started
        ("go_live", date(2026, 2, 5), "key"),
        ("kickoff", date(2026, 3, 2), "completed_on"),  # in the future
    ],
)
def test_bad_completions_are_refused(new_accounts, key, day, field):
    check_onboarding(db.session, NOW)
    with pytest.raises(ValidationFailed) as caught:
        complete_milestone(db.session, SYSTEM_ACTOR, new_accounts[0].id, key, day, NOW)
    assert field in caught.value.errors
    assert db.session.query(OnboardingMilestone).count() == 0


def test_other_csm_cannot_complete(new_accounts, other_csm):
    check_onboarding(db.session, NOW)
    with pytest.raises(Exception) as caught:
        complete_milestone(
            db.session,
            Actor(other_csm.id, "csm"),
            new_accounts[0].id,
            "kickoff",
            date(2026, 2, 5),
            NOW,
        )
    assert caught.type.__name__ in ("NotFound", "Forbidden")


def test_plans_are_seeded_and_edited_by_managers(new_accounts, manager, csm):
    check_onboarding(db.session, NOW)
    plans = list_plans(db.session)
    assert len(plans) == 4  # the fallback and one per default coverage model
    plan = plans[0]
    values = {"milestones": plan.milestones[:3], "stall_days": "30", "overdue_days": "7"}
    with pytest.raises(Forbidden):
        save_plan(db.session, Actor(csm.id, "csm"), plan.id, values, plan.version)
    with pytest.raises(ValidationFailed) as caught:
        save_plan(db.session, Actor(manager.id, "cs_manager"), plan.id,
                  values | {"stall_days": "-1"}, plan.version)  # fmt: skip
    assert "stall_days" in caught.value.errors
    saved = save_plan(db.session, Actor(manager.id, "cs_manager"), plan.id, values, plan.version)
    assert saved.stall_days == 30 and len(saved.milestones) == 3


def test_segment_figures(new_accounts):
    check_onboarding(db.session, NOW)
    table = onboarding_by_segment(db.session, SYSTEM_ACTOR, "csm", NOW.date())
    assert table.loc["All accounts", "onboarding"] == 2
    assert table.loc["All accounts", "stalled"] == 2
