"""A CSM's dashboard: my book by tier, my moves this week, my handoffs, my renewals."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.domain.reports.weeks import week_bounds, week_label
from cstier.models import Account, Handoff
from cstier.models.base import utcnow
from cstier.services import reports
from cstier.services.coverage.handoffs import account_names, list_handoffs
from cstier.services.dashboards.figures import (
    RENEWAL_DAYS,
    TierMoves,
    book_moves,
    by_tier,
    read_book,
)
from cstier.services.dashboards.manager import ranked_schemes
from cstier.services.errors import Forbidden

RENEWALS_SHOWN = 10


@dataclass
class CsmDashboard:
    """Everything a CSM's dashboard shows, about their own book only."""

    week: str
    accounts: int
    arr_cents: int
    value_scheme_id: int | None
    book: list[dict]
    moves: list[TierMoves]
    handoffs_given: list[Handoff]
    handoffs_received: list[Handoff]
    handoff_accounts: dict[int, str]
    renewals: list[dict]
    renewals_total: int
    renewal_horizon: date
    renewal_window: tuple[date, date]


def csm_dashboard(session: Session, actor: Actor, now: datetime | None = None) -> CsmDashboard:
    """Return the CSM's book by value tier, this week's moves, open handoffs and renewals."""
    if actor.role != "csm":
        raise Forbidden("This dashboard is a CSM's own book.")
    now = now or utcnow()
    today = now.date()
    week_start = today - timedelta(days=today.weekday())
    starts_at, _ = week_bounds(week_start)
    ranked = ranked_schemes(session, reports.scheme_tiers(session))
    value = ranked.get("value")
    book = read_book(
        session, select(Account.id, Account.arr_cents).where(Account.csm_id == actor.user_id)
    )
    ids = [int(i) for i in book["account_id"]]
    handoffs = list_handoffs(session, actor)
    horizon = today + timedelta(days=RENEWAL_DAYS)
    renewing = (
        select(Account.id, Account.name, Account.arr_cents, Account.renewal_date)
        .where(
            Account.csm_id == actor.user_id,
            Account.renewal_date >= today,
            Account.renewal_date <= horizon,
        )
        .order_by(Account.renewal_date, Account.id)
    )
    renewals = [
        {
            "account_id": r.id,
            "name": r.name,
            "arr_cents": r.arr_cents,
            "renewal_date": r.renewal_date,
        }
        for r in session.execute(renewing)
    ]
    return CsmDashboard(
        week=week_label(week_start),
        accounts=len(book),
        arr_cents=int(book["arr_cents"].sum()) if len(book) else 0,
        value_scheme_id=value.scheme_id if value else None,
        book=by_tier(session, value, book),
        moves=[book_moves(session, s, ids, starts_at, now) for s in ranked.values()],
        handoffs_given=[h for h in handoffs if h.from_csm_id == actor.user_id],
        handoffs_received=[h for h in handoffs if h.to_csm_id == actor.user_id],
        handoff_accounts=account_names(session, handoffs),
        renewals=renewals[:RENEWALS_SHOWN],
        renewals_total=len(renewals),
        renewal_horizon=horizon,
        renewal_window=(today, horizon),
    )
