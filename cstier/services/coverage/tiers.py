"""Read every account's current value and needs tier from the active schemes."""

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cstier.models import Account, AccountTier, TierScheme
from cstier.services.frames import read_frame


def active_scheme_id(session: Session, dimension: str) -> int | None:
    """Return the active scheme of a dimension (the first by name if several are active)."""
    stmt = (
        select(TierScheme.id)
        .where(TierScheme.dimension == dimension, TierScheme.active.is_(True))
        .order_by(TierScheme.name, TierScheme.id)
        .limit(1)
    )
    return session.scalar(stmt)


def current_tiers(session: Session) -> pd.DataFrame:
    """Return account_id, value_tier, needs_tier, arr_cents for every account (tiers may be NA)."""
    value_id = active_scheme_id(session, "value")
    needs_id = active_scheme_id(session, "needs")
    value, needs = aliased(AccountTier), aliased(AccountTier)
    stmt = (
        select(Account.id, value.tier, needs.tier, Account.arr_cents)
        .outerjoin(value, (value.account_id == Account.id) & (value.scheme_id == value_id))
        .outerjoin(needs, (needs.account_id == Account.id) & (needs.scheme_id == needs_id))
        .order_by(Account.id)
    )
    return read_frame(session, stmt, ["account_id", "value_tier", "needs_tier", "arr_cents"])
