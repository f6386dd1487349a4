"""What each scheduled job does for one fire time: a thin call to one service."""

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.services.account_health.daily import daily_health
from cstier.services.alerts_delivery.cycle import run_alert_cycle
from cstier.services.alerts_delivery.digests import send_digests
from cstier.services.batch_sizes import batch_sizes
from cstier.services.jobs.feeds import import_feeds
from cstier.services.metrics import refresh_metrics
from cstier.services.tiering.retier import retier_book
from cstier.services.weekly_report import gem_thresholds, weekly_review_job


def weekly_review(session: Session, scheduled_for: datetime) -> None:
    """Build and store the report of the week that ended before this fire time, and email it."""
    weekly_review_job(session, scheduled_for, gem_thresholds(current_app.config))


def alerts(session: Session, scheduled_for: datetime) -> None:
    """Dispatch committed tier and coverage changes to their alerts and send the due ones."""
    run_alert_cycle(session, worker_id="scheduler", now=scheduled_for)


def daily_digest(session: Session, scheduled_for: datetime) -> None:
    """Email each user who chose a daily digest their alerts of the day."""
    send_digests(session, scheduled_for, "daily")


def weekly_digest(session: Session, scheduled_for: datetime) -> None:
    """Email each user who chose a weekly digest their alerts of the week."""
    send_digests(session, scheduled_for, "weekly")


def metrics_refresh(session: Session, scheduled_for: datetime) -> None:
    """Recompute the stored churn and retention figures and the churned accounts."""
    refresh_metrics(session, scheduled_for)


def health(session: Session, scheduled_for: datetime) -> None:
    """Recompute onboarding statuses and today's health scores."""
    daily_health(session, scheduled_for, batch_sizes(current_app.config))


def nightly_retier(session: Session, scheduled_for: datetime) -> None:
    """Re-tier the whole book as the system."""
    retier_book(session, SYSTEM_ACTOR, trigger="schedule", sizes=batch_sizes(current_app.config))


def import_feed(session: Session, scheduled_for: datetime) -> None:
    """Import the newest files dropped in the feed folder, if one is configured."""
    folder = current_app.config.get("IMPORT_FEED_DIR")
    if folder:
        import_feeds(session, Path(folder), current_app.config)
