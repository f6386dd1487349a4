"""The manager's Monday: what moved, who needs a new owner, who is overloaded, what is due."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.coverage.book_totals import loads_from_totals
from cstier.domain.permissions import Actor, sees_whole_book
from cstier.domain.reports.tier_review import SchemeTiers
from cstier.domain.reports.weeks import last_full_week, week_bounds, week_label
from cstier.models import AccountCoverage, Handoff
from cstier.models.base import utcnow
from cstier.services import reports, trends
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.dashboards import renewal_totals
from cstier.services.dashboards.figures import (
    RENEWAL_DAYS,
    CappedCount,
    TierMoves,
    capped_count,
    in_tier_order,
    tier_moves,
)
from cstier.services.errors import Forbidden

OVERLOADED_SHOWN = 10


@dataclass
class ManagerDashboard:
    """Everything the manager's dashboard shows; each figure has a list behind it."""

    week: str
    week_start: date
    moves: list[TierMoves]
    needs_new_owner: CappedCount
    open_handoffs: CappedCount
    overloaded: list[dict]
    overloaded_total: int
    expiring_overrides: int
    value_scheme_id: int | None
    renewals: list[dict]
    renewal_window: tuple[date, date]
    trend: dict


def manager_dashboard(
    session: Session, actor: Actor, now: datetime | None = None
) -> ManagerDashboard:
    """Return last week's moves, the reassignment and handoff queues, loads, renewals, trend."""
    if not sees_whole_book(actor):
        raise Forbidden("The manager's dashboard shows the whole book; CSMs see their own.")
    now = now or utcnow()
    week_start = last_full_week(now.date())
    starts_at, ends_at = week_bounds(week_start)
    schemes = reports.scheme_tiers(session)
    ranked = ranked_schemes(session, schemes)
    value = ranked.get("value")
    overloaded, csms = _overloaded(session)
    _, expiring = reports.expiring_overrides(session, actor, now, schemes)
    window = (now.date(), now.date() + timedelta(days=RENEWAL_DAYS))
    return ManagerDashboard(
        week=week_label(week_start),
        week_start=week_start,
        moves=[
            tier_moves(s, trends.moves_between(session, s.scheme_id, starts_at, ends_at))
            for s in ranked.values()
        ],
        needs_new_owner=capped_count(
            session,
            select(AccountCoverage.account_id).where(AccountCoverage.needs_reassignment.is_(True)),
        ),
        open_handoffs=capped_count(session, select(Handoff.id).where(Handoff.done_at.is_(None))),
        overloaded=_named(overloaded.head(OVERLOADED_SHOWN), csms),
        overloaded_total=len(overloaded),
        expiring_overrides=expiring,
        value_scheme_id=value.scheme_id if value else None,
        renewals=_renewals(session, value, *window),
        renewal_window=window,
        trend=tier_trend(session, value, now.date()),
    )


def _renewals(session: Session, value: SchemeTiers | None, start: date, end: date) -> list[dict]:
    """Return the accounts renewing from start to end per value tier, top tier first."""
    scheme_id = value.scheme_id if value else None  # none: every account under "no tier"
    return in_tier_order(value, renewal_totals.renewals_by_tier(session, scheme_id, start, end))


def ranked_schemes(session: Session, schemes: dict[int, SchemeTiers]) -> dict[str, SchemeTiers]:
    """Return the active value and needs schemes, by dimension."""
    found = {}
    for dimension in ("value", "needs"):
        scheme_id = active_scheme_id(session, dimension)
        if scheme_id is not None and scheme_id in schemes:
            found[dimension] = schemes[scheme_id]
    return found


def overloaded_csms(session: Session) -> list[dict]:
    """Return the CSMs past 100 % of target, most loaded first, from the owned accounts only."""
    over, csms = _overloaded(session)
    return _named(over, csms)


def _overloaded(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the overloaded CSMs' loads, most loaded first, and every CSM's targets."""
    csms = coverage_reads.csm_targets_frame(session)
    totals = coverage_reads.owned_totals_frame(session)
    loads = loads_from_totals(totals, csms, coverage_reads.models_frame(session))
    over = loads[loads["status"] == "over"].sort_values(["load", "csm_id"], ascending=[False, True])
    return over, csms


def _named(over: pd.DataFrame, csms: pd.DataFrame) -> list[dict]:
    """Return rows of loads with each CSM's name; only the rows shown are built."""
    names = dict(zip(csms["csm_id"].tolist(), csms["name"].tolist(), strict=True))
    return [
        {
            "csm_id": csm_id,
            "name": names.get(csm_id) if isinstance(names.get(csm_id), str) else f"#{csm_id}",
            "accounts": accounts,
            "load": load,
        }
        for csm_id, accounts, load in zip(
            over["csm_id"].astype(int).tolist(),
            over["accounts"].astype(int).tolist(),
            over["load"].astype(float).tolist(),
            strict=True,
        )
    ]


def tier_trend(session: Session, scheme: SchemeTiers | None, today: date) -> dict:
    """Return the chart series of a scheme's tier mix and ARR by tier over the last weeks."""
    if scheme is None:
        return {"weeks": [], "tiers": []}
    return trends.mix_series(trends.tier_mix_trend(session, scheme.scheme_id, today), scheme.tiers)
