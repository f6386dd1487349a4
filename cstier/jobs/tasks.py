"""What each scheduled job does for one fire time: a thin call to one service."""

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.services.batch_sizes import batch_sizes
from cstier.services.jobs.feeds import import_feeds
from cstier.services.reports import default_week, tier_review
from cstier.services.tiering.run import run_tiering


def weekly_review(session: Session, scheduled_for: datetime) -> None:
    """Build the review of the week that ended before this fire time."""
    tier_review(session, SYSTEM_ACTOR, default_week(scheduled_for), now=scheduled_for)


def nightly_retier(session: Session, scheduled_for: datetime) -> None:
    """Re-tier the whole book as the system."""
    run_tiering(session, SYSTEM_ACTOR, trigger="schedule", sizes=batch_sizes(current_app.config))


def import_feed(session: Session, scheduled_for: datetime) -> None:
    """Import the newest files dropped in the feed folder, if one is configured."""
    folder = current_app.config.get("IMPORT_FEED_DIR")
    if folder:
        import_feeds(session, Path(folder), current_app.config)
