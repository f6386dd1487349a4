"""Tier history: an account's timeline, tiers as of a date, segment composition as of a date."""

from datetime import datetime

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.models import Account, AccountTier, TierChange, TieringRun, TierScheme
from cstier.services.accounts import scoped


def timeline(session: Session, account_id: int) -> list[TierChange]:
    """Return every tier change of an account, newest first."""
    stmt = (
        select(TierChange)
        .where(TierChange.account_id == account_id)
        .order_by(TierChange.at.desc(), TierChange.id.desc())
    )
    return list(session.scalars(stmt))


def current_for_account(session: Session, account_id: int) -> list[AccountTier]:
    """Return an account's current tiers, value and needs first."""
    stmt = (
        select(AccountTier)
        .join(TierScheme, AccountTier.scheme_id == TierScheme.id)
        .where(AccountTier.account_id == account_id)
        .order_by(TierScheme.dimension.desc(), TierScheme.name)
    )
    return list(session.scalars(stmt))


def _latest_changes_before(as_of: datetime, accounts: Select | None = None):
    """Subquery of each (account, scheme)'s last change at or before as_of (of some accounts)."""
    history = TierChange.at <= as_of
    if accounts is not None:
        history = history & TierChange.account_id.in_(accounts)
    ranked = (
        select(
            TierChange.account_id,
            TierChange.scheme_id,
            TierChange.to_tier,
            func.row_number()
            .over(
                partition_by=(TierChange.account_id, TierChange.scheme_id),
                order_by=(TierChange.at.desc(), TierChange.id.desc()),
            )
            .label("position"),
        )
        .where(history)
        .subquery()
    )
    return select(ranked.c.account_id, ranked.c.scheme_id, ranked.c.to_tier).where(
        ranked.c.position == 1
    )


def tiers_as_of(session: Session, account_id: int, as_of: datetime) -> dict[str, str]:
    """Return {scheme name: tier} for one account as it stood at `as_of`, from the history."""
    latest = _latest_changes_before(as_of).subquery()
    stmt = (
        select(TierScheme.name, latest.c.to_tier)
        .join(latest, latest.c.scheme_id == TierScheme.id)
        .where(latest.c.account_id == account_id)
    )
    return dict(session.execute(stmt).all())


def composition_as_of(
    session: Session, scheme_id: int, as_of: datetime, actor: Actor | None = None
) -> pd.DataFrame:
    """Return tier and accounts for one scheme's segments as they stood at `as_of`.

    A CSM counts only their own book, and it is their book *today*: accounts whose current
    csm_id is theirs, with those accounts' tiers at `as_of`. The history keeps no owner, so
    an account handed over since then counts in its new CSM's past, not its old one's.
    Without an actor (jobs, reports) the whole book is counted.
    """
    accounts = None
    if actor is not None and not sees_whole_book(actor):
        accounts = scoped(select(Account.id), actor)
    latest = _latest_changes_before(as_of, accounts).subquery()
    stmt = (
        select(latest.c.to_tier, func.count())
        .where(latest.c.scheme_id == scheme_id)
        .group_by(latest.c.to_tier)
        .order_by(latest.c.to_tier)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["tier", "accounts"])


def recent_runs(session: Session, limit: int = 20) -> list[TieringRun]:
    """Return the newest runs first."""
    stmt = (
        select(TieringRun).order_by(TieringRun.started_at.desc(), TieringRun.id.desc()).limit(limit)
    )
    return list(session.scalars(stmt))
