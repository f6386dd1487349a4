"""Read every account's current value and needs tier from the active schemes."""

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import Account, TierScheme
from cstier.services.metrics.churned import still_customer
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import read_current_tiers


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
    """Return account_id, value_tier, needs_tier, arr_cents of every account still a customer.

    Tiers may be None; churned accounts are left out of headcount.

    Tiers are read from their packed blocks (store/tier_blocks.py), not joined row
    by row: at book scale that join alone would slow every capacity page.
    """
    schemes = {"value_tier": active_scheme_id(session, "value"),
               "needs_tier": active_scheme_id(session, "needs")}  # fmt: skip
    stored = read_current_tiers(session, [i for i in schemes.values() if i is not None])
    stmt = (
        select(Account.id, Account.arr_cents).where(still_customer(Account.id)).order_by(Account.id)
    )
    book = read_frame(session, stmt, ["account_id", "arr_cents"])
    for column, scheme_id in schemes.items():
        tiers = pd.Series(None, index=book.index, dtype=object)
        if scheme_id is not None:
            held = stored[scheme_id].set_index("account_id")["tier"].astype(object)
            found = held.reindex(book["account_id"]).to_numpy()
            tiers = pd.Series(found, index=book.index, dtype=object)
            tiers = tiers.where(tiers.notna(), None)
        book[column] = tiers
    return book[["account_id", "value_tier", "needs_tier", "arr_cents"]]
