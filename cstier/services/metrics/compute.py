"""Compute retention figures on request: read the subscriptions in bulk, split, run the engine."""

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics import (
    BridgeMismatch,
    InvalidSubscriptions,
    Period,
    SubscriptionBook,
    retention,
)
from cstier.domain.metrics.book import frame_book
from cstier.domain.permissions import Actor, sees_whole_book
from cstier.models import Account
from cstier.services.errors import ServiceError
from cstier.services.metrics.splits import Split, segments_for
from cstier.store.metric_reads import read_subscription_days


class MetricsFailed(ServiceError):
    """The figures cannot be computed from the stored subscriptions; none are shown."""

    status = 500


def visible_book(session: Session, actor: Actor) -> SubscriptionBook:
    """Read the subscriptions of the accounts the actor sees, as the engine takes them."""
    mine = None
    if not sees_whole_book(actor):
        mine = select(Account.id).where(Account.csm_id == actor.user_id)
    try:
        return frame_book(read_subscription_days(session, mine))
    except InvalidSubscriptions as exc:
        raise MetricsFailed(f"retention figures cannot be computed: {exc}") from exc


def split_figures(
    session: Session, book: SubscriptionBook, periods: list[Period], split: Split
) -> pd.DataFrame:
    """Return the engine's figures of the periods over the book, split."""
    try:
        return retention(book, periods, segments_for(session, split, book))
    except BridgeMismatch as exc:
        raise MetricsFailed(f"retention figures cannot be computed: {exc}") from exc


def compute_figures(
    session: Session, actor: Actor, periods: list[Period], split: Split
) -> pd.DataFrame:
    """Return the figures of the periods and split over the actor's visible book."""
    return split_figures(session, visible_book(session, actor), periods, split)
