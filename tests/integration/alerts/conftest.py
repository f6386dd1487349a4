"""A book whose accounts move value tier in February, and helpers to read what alerts wrote."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import Delivery, Notification
from cstier.services.setup import set_up_workspace
from cstier.services.tiering.run import run_tiering
from tests.integration.tiering.conftest import set_arr
from tests.smtp import smtp_inbox  # noqa: F401 - fixture
from tests.webhooks import receiver  # noqa: F401 - fixture

JAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def actor(user) -> Actor:
    return Actor(user.id, user.role)


@pytest.fixture
def moved(split_book, manager):
    """January's first tiering, then Mine rises into Strategic and Theirs falls to Scale."""
    set_up_workspace(db.session)  # the default alert rules come with the workspace
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(split_book["mine"], 400_000)
    set_arr(split_book["theirs"], 20_000)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    return split_book


def tier_notifications(user) -> list[Notification]:
    """Return the user's notifications of tier moves, oldest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.change_key.like("tier_change:%"))
            .order_by(Notification.id)
        )
    )


def deliveries(channel: str | None = None) -> list[Delivery]:
    db.session.expire_all()
    stmt = select(Delivery).order_by(Delivery.id)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    return list(db.session.scalars(stmt))
