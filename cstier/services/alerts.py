"""Tier-change alerts: moves from one tier to another in the actor's book, newest first.

A first tiering (no from_tier) is not an alert; the delivery job reads a run's alerts
through here too (`run_id`), so this module holds the only copy of the rule.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.domain.reports import direction
from cstier.models import Account, TierChange, TierScheme
from cstier.services.accounts import scoped
from cstier.services.reports import as_utc, scheme_tiers

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class TierAlert:
    """One account moving from one tier to another, with the names a reader needs."""

    id: int
    account_id: int
    account_name: str
    csm_id: int | None
    scheme_id: int
    scheme_key: str
    scheme_name: str
    dimension: str
    from_tier: str
    to_tier: str
    direction: str
    at: datetime
    reason: str
    run_id: int | None
    explanation: str


@dataclass(frozen=True)
class AlertPage:
    """One page of alerts and how many match in all."""

    items: list[TierAlert]
    total: int
    limit: int
    offset: int
    more: bool = False  # the count stopped at total: there are more, and no last page is known


def alerts_query(
    actor: Actor,
    since: datetime | None = None,
    scheme_id: int | None = None,
    run_id: int | None = None,
) -> Select:
    """Build the query for the actor's alerts at or after since, optionally of one scheme or run."""
    stmt = (
        select(
            TierChange.id,
            TierChange.account_id,
            Account.name.label("account_name"),
            Account.csm_id,
            TierChange.scheme_id,
            TierScheme.key.label("scheme_key"),
            TierScheme.name.label("scheme_name"),
            TierChange.dimension,
            TierChange.from_tier,
            TierChange.to_tier,
            TierChange.at,
            TierChange.reason,
            TierChange.run_id,
            TierChange.explanation,
        )
        .join(Account, Account.id == TierChange.account_id)
        .join(TierScheme, TierScheme.id == TierChange.scheme_id)
        .where(TierChange.from_tier.is_not(None))
    )
    if since is not None:
        stmt = stmt.where(TierChange.at >= as_utc(since))
    if scheme_id is not None:
        stmt = stmt.where(TierChange.scheme_id == scheme_id)
    if run_id is not None:
        stmt = stmt.where(TierChange.run_id == run_id)
    return scoped(stmt, actor)


def tier_alerts(
    session: Session,
    actor: Actor,
    since: datetime | None = None,
    scheme_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    count_cap: int | None = None,
) -> AlertPage:
    """Return one page of tier-change alerts the actor may see, newest first.

    With `count_cap`, matches are counted only that far (or to the page asked for), so a
    page of a book with millions of moves does not count them all; without, all are counted.
    """
    stmt = alerts_query(actor, since, scheme_id)
    counted = stmt.with_only_columns(TierChange.id)
    if count_cap is not None:
        counted = counted.limit(max(count_cap, offset + limit) + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    more = count_cap is not None and total > max(count_cap, offset + limit)
    total = total - 1 if more else total
    if offset >= total or limit <= 0:  # past the end: skip the query (and any OFFSET overflow)
        return AlertPage([], total, limit, offset, more)
    rows = session.execute(
        stmt.order_by(TierChange.at.desc(), TierChange.id.desc()).limit(limit).offset(offset)
    ).all()
    tiers = scheme_tiers(session)
    items = []
    for row in rows:
        scheme = tiers.get(row.scheme_id)
        order, dimension = (scheme.tiers, scheme.dimension) if scheme else ((), row.dimension)
        items.append(
            TierAlert(
                **{**row._asdict(), "at": as_utc(row.at)},
                direction=direction(row.from_tier, row.to_tier, order, dimension),
            )
        )
    return AlertPage(items, total, limit, offset, more)
