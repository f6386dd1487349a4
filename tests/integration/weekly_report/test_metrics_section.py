"""The weekly report's metrics: stored retention, onboarding and health per value tier, with last week's."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountOnboarding, HealthScore, MetricResult, OnboardingPlan
from cstier.services.book_segments import account_segments
from cstier.services.tiering.retier import retier_book
from cstier.services.weekly_report import (
    build_weekly_report,
    send_weekly_report,
    set_subscription,
)
from tests.smtp import smtp_inbox  # noqa: F401 - fixture
from tests.weekly_book import AFTER, MONDAY

DECEMBER = (date(2025, 12, 1), date(2026, 1, 1))


def store_month(split: str, segment: str, start: int, churned: int, mrr_start: int, mrr_end: int):
    """Store one segment's December figures as a metrics refresh would."""
    db.session.add(
        MetricResult(
            split=split, period_start=DECEMBER[0], period_end=DECEMBER[1], segment=segment,
            accounts_start=start, accounts_churned=churned, accounts_new=0,
            accounts_reactivated=0, accounts_passing=0, mrr_start_cents=mrr_start,
            mrr_end_cents=mrr_end, churned_cents=mrr_start - mrr_end if mrr_end < mrr_start else 0,
            contraction_cents=0, expansion_cents=max(mrr_end - mrr_start, 0), new_cents=0,
            reactivation_cents=0, computed_at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )  # fmt: skip


def score(account, day: date, band: str) -> None:
    db.session.add(
        HealthScore(
            account_id=account.id, scorecard_id=1, scored_on=day, score=50.0, coverage=1.0,
            computed_band=band, band=band, measures=b"",
        )
    )  # fmt: skip


def values(report) -> dict:
    return {
        f["key"]: (f["value"], f["previous"], f["change"])
        for f in report.content["metrics"]["figures"]
    }


def stored_metrics(week_book) -> str:
    """Tier the book and store December's figures, two onboardings and health scores; return the top tier."""
    retier_book(db.session, SYSTEM_ACTOR, trigger="cli", now=MONDAY - timedelta(days=1))
    fallen, gem = week_book["fallen"], week_book["gem"]
    top = account_segments(db.session, "value_tier")[fallen.id]
    store_month("value_tiers", top, 10, 1, 100_000, 95_000)
    store_month("total", "Total", 40, 2, 400_000, 410_000)
    plan = OnboardingPlan(name="Standard", milestones=[{"key": "kickoff", "target_days": 30}])
    db.session.add(plan)
    db.session.flush()
    for account, status in ((fallen, "on_track"), (gem, "stalled")):
        db.session.add(
            AccountOnboarding(account_id=account.id, plan_id=plan.id, start_date=date(2026, 1, 2),
                              status=status)
        )  # fmt: skip
    score(fallen, date(2026, 1, 10), "red")
    score(gem, date(2026, 1, 10), "green")
    score(gem, date(2026, 1, 12), "red")  # scored after the week: not this week's
    db.session.commit()
    return top


def test_two_weeks_of_metrics_carry_last_weeks_figures(week_book):
    top = stored_metrics(week_book)
    gem = week_book["gem"]

    first = build_weekly_report(db.session, "2026-W02", AFTER)
    metrics = first.content["metrics"]
    assert (metrics["status"], metrics["month"], metrics["health_scored_on"]) == (
        "computed", "Dec 2025", "2026-01-10",
    )  # fmt: skip
    got = values(first)
    assert got[f"logo_churn:{top}"] == (10.0, None, None)
    assert got[f"grr:{top}"] == (95.0, None, None)
    assert got["nrr:Total"] == (102.5, None, None)
    assert got["logo_churn:Total"] == (5.0, None, None)
    assert got["onboarding_on_track:Total"] == (50.0, None, None)
    assert got["onboarding_stalled:Total"] == (50.0, None, None)
    assert got["health_red:Total"] == (1, None, None)
    assert got["health_green:Total"] == (1, None, None)
    assert got[f"health_red:{top}"] == (1, None, None)
    assert [f["segment"] for f in metrics["figures"]][-1] == "Total"

    # A later refresh restates December; the gem's onboarding recovers and it is scored red.
    db.session.execute(
        update(MetricResult).where(MetricResult.split == "total").values(accounts_churned=4)
    )
    db.session.execute(
        update(AccountOnboarding)
        .where(AccountOnboarding.account_id == gem.id)
        .values(status="on_track")
    )
    db.session.commit()
    second = build_weekly_report(db.session, "2026-W03", AFTER + timedelta(days=7))
    got = values(second)
    assert got["logo_churn:Total"] == (10.0, 5.0, 5.0)
    assert got[f"grr:{top}"] == (95.0, 95.0, 0.0)
    assert got["onboarding_on_track:Total"] == (100.0, 50.0, 50.0)
    assert got["onboarding_stalled:Total"] == (0.0, 50.0, -50.0)
    assert got["health_red:Total"] == (2, 1, 1)
    assert got["health_green:Total"] == (0, 1, -1)
    assert second.content["metrics"]["health_scored_on"] == "2026-01-12"


def test_without_a_refresh_the_metrics_say_not_yet_computed(week_book):
    retier_book(db.session, SYSTEM_ACTOR, trigger="cli", now=MONDAY - timedelta(days=1))
    score(week_book["fallen"], date(2026, 1, 9), "yellow")
    db.session.commit()
    metrics = build_weekly_report(db.session, "2026-W02", AFTER).content["metrics"]
    assert metrics["status"] == "not yet computed"
    assert not any(f["key"].startswith(("logo_churn", "grr", "nrr")) for f in metrics["figures"])
    assert values_of(metrics)["health_yellow:Total"] == 1


def values_of(metrics: dict) -> dict:
    return {f["key"]: f["value"] for f in metrics["figures"]}


def test_the_page_and_the_email_show_the_figures(week_book, manager, client, auth, smtp_inbox):  # noqa: F811
    top = stored_metrics(week_book)
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    send_weekly_report(db.session, report.id, AFTER)
    (message,) = smtp_inbox.to("manager@example.com")
    text = next(
        p.get_payload(decode=True).decode()
        for p in message.walk()
        if p.get_content_type() == "text/plain"
    )
    assert "churn of Dec 2025): computed." in text and "Logo churn (%): 5.0" in text
    assert "Accounts with red health: 1" in text
    auth.login(manager.email)
    html = client.get("/reports/weekly/2026-W02").get_data(as_text=True)
    assert "Churn, GRR and NRR of Dec 2025" in html and f"<td>{top}</td>" in html
    assert "Onboardings stalled (%)" in html
