"""Building the weekly report: sections from history, once per ended week, in local weeks."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import WeeklyReport
from cstier.services.errors import ValidationFailed
from cstier.services.reports import as_utc, scheme_tiers
from cstier.services.tiering.run import run_tiering
from cstier.services.weekly_report import build_weekly_report, last_ended_week_label
from cstier.services.weekly_report.sections import at_risk_section
from tests.factories import AccountFactory, AccountNeedFactory
from tests.weekly_book import AFTER, MONDAY, record_change, set_timezone


def test_the_report_holds_every_section(week_book):
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    content = report.content
    assert content["schema_version"] == 1 and report.week == "2026-W02"
    assert (content["review"]["up"], content["review"]["down"]) == (1, 1)
    assert (report.accounts_up, report.accounts_down) == (1, 1)
    (risk,) = content["at_risk"]["accounts"]
    assert risk["account_name"] == "Fallen Star"
    assert risk["signals"] == ["fell from Strategic to Growth this week"]
    assert content["at_risk"]["health"] == {
        "available": False,
        "note": "Health scores are not available yet: no account has been scored by the end of the week.",
    }
    (owner,) = content["needs_owner"]["accounts"]
    assert owner["account_name"] == "Flagged Co" and owner["suggested_owner"] == "Cleo CSM"
    assert content["open_handoffs"]["total"] == 1
    (override,) = content["expiring_overrides"]["overrides"]
    assert override["account_name"] == "<script>alert(1)</script>"
    gems = {g["account_name"]: g["signals"] for g in content["hidden_gems"]["accounts"]}
    assert gems["Gem Co"] == ["usage seats_used up 40% over 3 periods"]
    assert gems["Flagged Co"] == ["expanded in the last 90 days (MRR 1,000 → 1,500)"]
    assert content["hidden_gems"]["needs_score"] in ("available", "not available")
    assert content["metrics"] == {
        "status": "not yet computed", "month": "Dec 2025", "health_scored_on": None, "figures": [],
    }  # fmt: skip
    assert {"csms", "models", "unassigned"} <= set(content["capacity"])


def test_building_again_returns_the_stored_snapshot(week_book):
    first = build_weekly_report(db.session, "2026-W02", AFTER)
    record_change(week_book["gem"], "Scale", "Growth", MONDAY + timedelta(days=3))
    again = build_weekly_report(db.session, "2026-w02", AFTER + timedelta(days=30))
    assert again.id == first.id and again.content["review"]["up"] == 1
    assert db.session.scalar(select(func.count()).select_from(WeeklyReport)) == 1


def test_next_week_carries_last_weeks_figures(week_book):
    build_weekly_report(db.session, "2026-W02", AFTER)
    following = build_weekly_report(db.session, "2026-W03", AFTER + timedelta(days=7))
    figures = {f["key"]: f for f in following.content["headline"]}
    assert figures["accounts_up"] == {
        "key": "accounts_up", "label": "Accounts moved up", "value": 0, "previous": 1,
        "change": -1,
    }  # fmt: skip
    assert following.content["previous_week"] == "2026-W02"


def test_an_unfinished_week_is_refused(week_book):
    with pytest.raises(ValidationFailed, match="2026-W02 has not ended yet"):
        build_weekly_report(db.session, "2026-W02", datetime(2026, 1, 11, 23, 59, tzinfo=UTC))
    assert db.session.scalar(select(func.count()).select_from(WeeklyReport)) == 0


@pytest.mark.parametrize("week", ["2026-02", "2026-W54", "next week", ""])
def test_a_malformed_week_is_refused(db_session, week):
    with pytest.raises(ValidationFailed, match="YYYY-Www|no W54"):
        build_weekly_report(db.session, week, AFTER)


def test_weeks_follow_the_workspace_timezone_across_dst(db_session):
    # Los Angeles leaves daylight saving on Sunday 1 November 2026: that week lasts 169 hours.
    set_timezone("America/Los_Angeles")
    report = build_weekly_report(db.session, "2026-W44", datetime(2026, 11, 10, tzinfo=UTC))
    assert as_utc(report.starts_at) == datetime(2026, 10, 26, 7, tzinfo=UTC)
    assert as_utc(report.ends_at) == datetime(2026, 11, 2, 8, tzinfo=UTC)
    # Berlin starts daylight saving on Sunday 29 March 2026: that week lasts 167 hours.
    set_timezone("Europe/Berlin")
    berlin = build_weekly_report(db.session, "2026-W13", datetime(2026, 4, 10, tzinfo=UTC))
    assert as_utc(berlin.starts_at) == datetime(2026, 3, 22, 23, tzinfo=UTC)
    assert as_utc(berlin.ends_at) == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert berlin.content["timezone"] == "Europe/Berlin"


def test_a_change_late_on_sunday_belongs_to_the_local_week(week_book):
    set_timezone("America/Los_Angeles")
    # Sunday 11 January 2026, 22:00 in Los Angeles is Monday 06:00 UTC.
    record_change(week_book["gem"], "Scale", "Growth", datetime(2026, 1, 12, 6, tzinfo=UTC))
    with pytest.raises(ValidationFailed, match="has not ended yet"):
        build_weekly_report(db.session, "2026-W02", datetime(2026, 1, 12, 7, 59, tzinfo=UTC))
    report = build_weekly_report(db.session, "2026-W02", datetime(2026, 1, 12, 8, tzinfo=UTC))
    assert report.content["review"]["up"] == 2


def test_the_last_ended_week_is_local(db_session):
    set_timezone("Europe/Berlin")
    # Sunday 23:30 UTC is already Monday in Berlin: the week just ended there.
    assert (
        last_ended_week_label(db.session, datetime(2026, 1, 11, 23, 30, tzinfo=UTC)) == "2026-W02"
    )
    set_timezone("America/Los_Angeles")
    assert last_ended_week_label(db.session, datetime(2026, 1, 12, 7, tzinfo=UTC)) == "2026-W01"


def test_a_top_needs_score_makes_a_small_account_a_gem(week_book):
    needy = AccountFactory(name="Needy Co", arr_cents=5_000_00)
    for code in ("integration_help", "training", "admin_help", "reporting", "sso"):
        AccountNeedFactory(account_id=needy.id, code=code)
    for n in range(9):  # enough scored accounts for a top 10 % of one
        AccountNeedFactory(account_id=AccountFactory(name=f"Scored {n}", arr_cents=100_000_00).id)
    db.session.commit()
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    gems = report.content["hidden_gems"]
    assert gems["needs_score"] == "available"
    signals = {g["account_name"]: g["signals"] for g in gems["accounts"]}
    (signal,) = signals["Needy Co"]
    assert signal.startswith("needs score ") and signal.endswith(" in the top 10%")


def test_red_health_counts_for_top_tier_accounts_once_a_signal_exists(week_book):
    class RedSignal:
        """A health signal as the health issue will plug one in."""

        note = ""

        def red_accounts(self, session, as_of):
            return [week_book["riser"].id, week_book["gem"].id]

    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=MONDAY - timedelta(days=1))
    value = next(s for s in scheme_tiers(db.session).values() if s.dimension == "value")
    section = at_risk_section(db.session, value, MONDAY, AFTER, RedSignal())
    assert section["health"]["available"] is True
    signals = {a["account_name"]: a["signals"] for a in section["accounts"]}
    # The riser holds Strategic, the top tier; the gem is small, so its red health is no risk here.
    assert signals["<script>alert(1)</script>"] == ["red health score"]
    assert "Gem Co" not in signals
