"""The weekly report by email: subscribers only, HTML and text, escaped, never sent twice."""

import pytest
from sqlalchemy import func, select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import WeeklyReportDelivery
from cstier.services.errors import Forbidden
from cstier.services.weekly_report import (
    build_weekly_report,
    is_subscribed,
    send_weekly_report,
    set_subscription,
    weekly_review_job,
)
from tests.factories import UserFactory
from tests.smtp import smtp_inbox  # noqa: F401 - fixture
from tests.weekly_book import AFTER


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_subscribers_get_html_and_text_with_account_names_escaped(week_book, manager, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    outcome = send_weekly_report(db.session, report.id, AFTER)
    assert outcome.sent == ["manager@example.com"] and outcome.already_sent == 0
    (message,) = smtp_inbox.to("manager@example.com")
    assert message["Subject"] == "Weekly tier review 2026-W02"
    body = parts(message)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body["text/html"]
    assert "<script>" not in body["text/html"]
    assert "<script>alert(1)</script>" in body["text/plain"]  # plain text needs no escaping
    assert "Fallen Star" in body["text/plain"] and "Gem Co" in body["text/html"]
    assert "is under Weekly reports in cstier" in body["text/plain"]  # no BASE_URL: no link


def test_the_email_links_the_report_when_the_base_url_is_set(week_book, manager, app, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    app.config["BASE_URL"] = "https://cstier.example.com"
    try:
        send_weekly_report(db.session, report.id, AFTER)
    finally:
        app.config["BASE_URL"] = ""
    body = parts(smtp_inbox.messages[0])
    assert 'href="https://cstier.example.com/reports/weekly/2026-W02"' in body["text/html"]
    assert "https://cstier.example.com/reports/weekly/2026-W02" in body["text/plain"]


def test_a_repeat_sends_nothing_twice(week_book, manager, admin, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    send_weekly_report(db.session, report.id, AFTER)
    set_subscription(db.session, Actor(admin.id, "admin"), True)  # joins after the first send
    again = send_weekly_report(db.session, report.id, AFTER)
    assert again.sent == ["admin@example.com"] and again.already_sent == 1
    third = send_weekly_report(db.session, report.id, AFTER)
    assert third.sent == [] and third.already_sent == 2
    assert len(smtp_inbox.messages) == 2
    count = select(func.count()).select_from(WeeklyReportDelivery)
    assert db.session.scalar(count) == 2


def test_an_smtp_failure_records_nothing_and_a_retry_sends(week_book, manager, app, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    try:
        with pytest.raises(OSError):
            send_weekly_report(db.session, report.id, AFTER)
    finally:
        app.config["MAIL_PORT"] = port
    assert db.session.scalar(select(func.count()).select_from(WeeklyReportDelivery)) == 0
    assert send_weekly_report(db.session, report.id, AFTER).sent == ["manager@example.com"]


def test_the_job_builds_the_last_ended_week_and_sends_it_once(week_book, manager, smtp_inbox):  # noqa: F811
    set_subscription(db.session, Actor(manager.id, "cs_manager"), True)
    first = weekly_review_job(db.session, AFTER)
    second = weekly_review_job(db.session, AFTER)
    assert first.week == second.week == "2026-W02"
    assert (first.sent, second.sent) == (["manager@example.com"], [])
    assert len(smtp_inbox.messages) == 1


def test_only_managers_and_admins_subscribe(db_session, csm, viewer, manager):
    for actor in (Actor(csm.id, "csm"), Actor(viewer.id, "viewer")):
        with pytest.raises(Forbidden):
            set_subscription(db.session, actor, True)
    actor = Actor(manager.id, "cs_manager")
    set_subscription(db.session, actor, True)
    assert is_subscribed(db.session, actor)
    set_subscription(db.session, actor, False)
    assert not is_subscribed(db.session, actor)


def test_inactive_or_demoted_subscribers_get_nothing(week_book, manager, smtp_inbox):  # noqa: F811
    leaver = UserFactory(role="cs_manager", email="leaver@example.com")
    for user in (manager, leaver):
        set_subscription(db.session, Actor(user.id, "cs_manager"), True)
    leaver.active = False
    manager.role = "csm"
    db.session.commit()
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    assert send_weekly_report(db.session, report.id, AFTER).sent == []
