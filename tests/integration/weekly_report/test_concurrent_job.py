"""Two schedulers firing the weekly job at once store one report and send each email once."""

import threading

from sqlalchemy import func, select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import WeeklyReport, WeeklyReportDelivery
from cstier.services.weekly_report import set_subscription, weekly_review_job
from tests.smtp import smtp_inbox  # noqa: F401 - fixture
from tests.weekly_book import AFTER


def _scheduler(app, start, outcomes) -> None:
    with app.app_context():
        try:
            start.wait(timeout=10)
            outcomes.append(weekly_review_job(db.session, AFTER))
        except Exception as exc:  # the test reports anything else as a failure
            outcomes.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            db.session.remove()


def test_two_schedulers_run_the_weekly_job_once(app, week_book, manager, admin, smtp_inbox):  # noqa: F811
    for user, role in ((manager, "cs_manager"), (admin, "admin")):
        set_subscription(db.session, Actor(user.id, role), True)
    db.session.remove()
    start, outcomes = threading.Barrier(2), []
    threads = [threading.Thread(target=_scheduler, args=(app, start, outcomes)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [o for o in outcomes if isinstance(o, str)], outcomes
    assert sorted(len(o.sent) + o.already_sent for o in outcomes) == [2, 2]
    assert sum(len(o.sent) for o in outcomes) == 2
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "admin@example.com",
        "manager@example.com",
    ]
    assert db.session.scalar(select(func.count()).select_from(WeeklyReport)) == 1
    assert db.session.scalar(select(func.count()).select_from(WeeklyReportDelivery)) == 2
