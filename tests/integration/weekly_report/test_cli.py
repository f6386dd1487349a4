"""`cstier report weekly`: build on demand, refuse bad weeks clearly, send with --send."""

from datetime import UTC, datetime

import pytest

from cstier.domain.permissions import Actor
from cstier.domain.reports import week_label
from cstier.domain.reports.local_weeks import last_ended_week
from cstier.extensions import db
from cstier.services.weekly_report import set_subscription
from tests.smtp import smtp_inbox  # noqa: F401 - fixture


def test_it_builds_a_week_then_finds_it_stored(runner, week_book):
    first = runner.invoke(args=["report", "weekly", "--week", "2026-W02"])
    assert first.exit_code == 0, first.output
    assert "Weekly report 2026-W02 (UTC): built." in first.output
    assert "Hidden gems: 2" in first.output
    again = runner.invoke(args=["report", "weekly", "--week", "2026-w02"])
    assert "2026-W02 (UTC): already stored." in again.output


@pytest.mark.parametrize(
    ("week", "message"),
    [("2026-02", "write it as YYYY-Www"), ("2026-W60", "there is no W60"), ("W02", "YYYY-Www")],
)
def test_a_malformed_week_is_refused_with_how_to_write_it(runner, db_session, week, message):
    result = runner.invoke(args=["report", "weekly", "--week", week])
    assert result.exit_code == 2 and message in result.output


def test_a_week_that_has_not_ended_is_refused(runner, db_session):
    result = runner.invoke(args=["report", "weekly", "--week", "2999-W01"])
    assert result.exit_code == 1
    assert "Week 2999-W01 has not ended yet" in result.output


def test_the_default_is_the_last_ended_week(runner, db_session):
    result = runner.invoke(args=["report", "weekly"])
    assert result.exit_code == 0, result.output
    expected = week_label(last_ended_week(datetime.now(UTC), "UTC"))
    assert f"Weekly report {expected} (UTC): built." in result.output


def test_send_emails_the_subscribers_once(runner, week_book, manager, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    first = runner.invoke(args=["report", "weekly", "--week", "2026-W02", "--send"])
    assert "Emailed to 1 subscriber(s); 0 had it already." in first.output
    again = runner.invoke(args=["report", "weekly", "--week", "2026-W02", "--send"])
    assert "Emailed to 0 subscriber(s); 1 had it already." in again.output
    assert len(smtp_inbox.messages) == 1


def test_the_tier_review_of_a_reported_week_says_it_is_the_stored_one(runner, week_book):
    before = runner.invoke(args=["report", "tier-review", "--week", "2026-W02"])
    assert before.exit_code == 0 and "Moves from the weekly report" not in before.output
    runner.invoke(args=["report", "weekly", "--week", "2026-W02"])
    after = runner.invoke(args=["report", "tier-review", "--week", "2026-W02"])
    assert "Moves from the weekly report built" in after.output
    assert [line for line in after.output.splitlines() if "→" in line] == [
        line for line in before.output.splitlines() if "→" in line
    ]
