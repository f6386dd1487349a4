"""Alert emails and digests reach a real SMTP server; account data is escaped in the HTML."""

from datetime import timedelta
from email.header import decode_header, make_header

from cstier.extensions import db
from cstier.services.alerts_delivery import deliver_due, dispatch_events, send_digests
from cstier.services.alerts_delivery.rules import my_subscriptions, subscribe
from tests.integration.alerts.conftest import FEB, actor, deliveries
from tests.integration.tiering.conftest import set_arr


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _html(message) -> str:
    return (
        next(p for p in message.walk() if p.get_content_type() == "text/html")
        .get_payload(decode=True)
        .decode()
    )


def _text(message) -> str:
    return (
        next(p for p in message.walk() if p.get_content_type() == "text/plain")
        .get_payload(decode=True)
        .decode()
    )


def _email_me(user, cadence: str) -> None:
    for rule_id in my_subscriptions(db.session, actor(user)):
        subscribe(db.session, actor(user), rule_id, ["in_app", "email"], cadence)


def test_an_alert_email_as_it_happens(db_session, moved, csm, smtp_inbox):
    moved["mine"].name = "Mine <script>alert(1)</script>"
    db.session.commit()
    _email_me(csm, "immediate")
    dispatch_events(db.session, FEB)
    assert deliver_due(db.session, FEB, "w").sent >= 1
    (message,) = [m for m in smtp_inbox.to(csm.email) if "Growth → Strategic" in _subject(m)]
    assert "<script>" not in _html(message) and "&lt;script&gt;" in _html(message)
    assert "Cause: Data change" in _text(message)


def test_a_daily_digest_groups_notifications_once_per_day(
    db_session, moved, csm, manager, smtp_inbox
):
    _email_me(manager, "daily")
    dispatch_events(db.session, FEB)
    assert deliveries("email") == []  # nothing as it happens
    summary = send_digests(db.session, FEB + timedelta(hours=12), "daily")
    assert summary.digests == 1 and summary.notifications >= 2
    assert send_digests(db.session, FEB + timedelta(hours=13), "daily").digests == 0
    deliver_due(db.session, FEB + timedelta(hours=12), "w")
    (digest,) = smtp_inbox.to(manager.email)
    assert "daily alert digest" in _subject(digest)
    text = _text(digest)
    assert (
        "Mine: Value tiers Growth → Strategic" in text
        and "Theirs: Value tiers Strategic → Scale" in text
    )


def test_a_digest_of_the_same_day_waits_for_the_next(db_session, moved, manager, smtp_inbox):
    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.services.tiering.run import run_tiering

    _email_me(manager, "daily")
    dispatch_events(db.session, FEB)
    send_digests(db.session, FEB + timedelta(hours=1), "daily")
    set_arr(moved["theirs"], 300_000)
    later = FEB + timedelta(hours=2)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=later)
    dispatch_events(db.session, later)
    assert send_digests(db.session, later, "daily").digests == 0  # one digest per user and day
    assert send_digests(db.session, FEB + timedelta(days=1), "daily").digests == 1


def test_an_smtp_failure_is_retried(db_session, app, moved, csm):
    _email_me(csm, "immediate")
    dispatch_events(db.session, FEB)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens
    try:
        summary = deliver_due(db.session, FEB, "w")
    finally:
        app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)
    assert summary.retrying >= 1 and summary.sent == 0
