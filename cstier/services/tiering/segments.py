"""Segment views: accounts and ARR per tier of each scheme."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.models import TierScheme
from cstier.services.reports import scheme_tiers
from cstier.services.tiering import tier_totals


def tier_summary(session: Session, actor: Actor) -> list[dict]:
    """Return, per active scheme, each tier's account count and current ARR in the visible book.

    The whole book's totals are the ones the last run stored while they still hold
    (services/tiering/tier_totals.py); a CSM's book, or stale totals, are counted now.
    """
    schemes = session.scalars(select(TierScheme).where(TierScheme.active.is_(True))).all()
    scheme_ids = [s.id for s in schemes]
    if sees_whole_book(actor):
        counted = tier_totals.whole_book_tier_totals(session, scheme_ids)
    else:
        counted = tier_totals.count_tiers(session, actor, scheme_ids)
    out = []
    ranked = scheme_tiers(session)
    for scheme in sorted(
        schemes, key=lambda s: ({"value": 0, "needs": 1}.get(s.dimension, 2), s.name)
    ):
        order = ranked[scheme.id].tiers if scheme.id in ranked else ()
        tiers = sorted(counted[scheme.id], key=lambda t: rank_key(t["tier"], order))
        out.append({"scheme": scheme, "tiers": tiers})
    return out


def rank_key(tier: str, order: tuple[str, ...]) -> tuple[int, str]:
    """Sort a tier by its rank in the scheme (top first); tiers it no longer has go last, by name."""
    return (order.index(tier), "") if tier in order else (len(order), tier)


def scheme_names(session: Session) -> dict[str, str]:
    """Return every scheme's name by its key, for pages that list runs' changes."""
    return dict(session.execute(select(TierScheme.key, TierScheme.name)).all())
