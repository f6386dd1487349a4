"""Accounts renewing soon per tier: summed live, or stored by a run and served while current.

The manager's dashboard asks for the next 90 days of the whole book. Summed live that reads
every renewing account (a sixth of a big book), so each run stores accounts and ARR per tier
and renewal day for the year ahead; the stored rows hold until a write marks them
(migration 0049: accounts added or removed, ARR or renewal dates changed, tiers written).
"""

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from cstier.models import Account, CurrentTier, RenewalTotal
from cstier.models.base import utcnow
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.unit_of_work import unit_of_work
from cstier.store.book_marks import RENEWALS, replace_totals, unmarked, writes_are_marked

RENEWAL_TOTAL_DAYS = 366  # renewal days a run stores, from its own day on

# (tier or None, accounts, arr_cents) per tier
Renewals = list[tuple[str | None, int, int]]


def renewals_by_tier(session: Session, scheme_id: int | None, start: date, end: date) -> Renewals:
    """Return accounts and ARR (field) per tier of the accounts renewing from start to end.

    Stored totals serve while current and the window lies in what they hold; else a live sum.
    Without a scheme every account counts under no tier.
    """
    stored = None if scheme_id is None else stored_renewals(session, scheme_id, start, end)
    return stored if stored is not None else live_renewals(session, scheme_id, start, end)


def store_renewal_totals(session: Session) -> int:
    """Store the value scheme's renewals per tier and day for the year ahead; return the rows.

    Where writes are not marked nothing would serve them: nothing is stored.
    """
    if not writes_are_marked(session):
        return 0
    day = utcnow().date()
    last = day + timedelta(days=RENEWAL_TOTAL_DAYS)

    def summed_rows() -> list[dict]:
        rows = []
        value = active_scheme_id(session, "value")  # the one scheme the dashboard splits by
        for scheme_id in [value] if value is not None else []:
            rows.append({"scheme_id": scheme_id, "tier": None, "renewal_date": None})
            rows += [
                {"scheme_id": scheme_id, "tier": tier, "renewal_date": on}
                | {"accounts": int(accounts), "arr_cents": int(arr)}
                for tier, on, accounts, arr in session.execute(
                    _sums(scheme_id, day, last, by_day=True)
                )
            ]
        return [{"accounts": 0, "arr_cents": 0, "day": day} | row for row in rows]

    with unit_of_work(session):
        return replace_totals(session, RENEWALS, RenewalTotal, summed_rows)


def stored_renewals(session: Session, scheme_id: int, start: date, end: date) -> Renewals | None:
    """Return the stored renewals of the window if current and held, else None."""
    if not writes_are_marked(session):
        return None
    # One statement reads the window, the scheme's stored marker and the marks together.
    stmt = select(
        RenewalTotal.tier, RenewalTotal.renewal_date, RenewalTotal.accounts,
        RenewalTotal.arr_cents, RenewalTotal.day,
    ).where(
        RenewalTotal.scheme_id == scheme_id,
        or_(RenewalTotal.renewal_date.is_(None), RenewalTotal.renewal_date.between(start, end)),
        unmarked(RENEWALS),
    )  # fmt: skip
    rows = session.execute(stmt).all()
    stored_on = [r.day for r in rows if r.renewal_date is None]
    if not stored_on or not (
        stored_on[0] <= start and end <= stored_on[0] + timedelta(days=RENEWAL_TOTAL_DAYS)
    ):
        return None
    totals: dict[str | None, list[int]] = {}
    for row in rows:
        if row.renewal_date is not None:
            summed = totals.setdefault(row.tier, [0, 0])
            summed[0] += row.accounts
            summed[1] += row.arr_cents
    return [(tier, accounts, arr) for tier, (accounts, arr) in totals.items()]


def live_renewals(session: Session, scheme_id: int | None, start: date, end: date) -> Renewals:
    """Return the renewals of the window summed in the database now."""
    rows = session.execute(_sums(scheme_id, start, end, by_day=False))
    return [(tier, int(accounts), int(arr)) for tier, accounts, arr in rows]  # sums: Decimal


def _sums(scheme_id: int | None, start: date, end: date, by_day: bool):
    """Select tier (None: no tier), [renewal_date,] accounts, ARR of the accounts renewing."""
    keys = [CurrentTier.tier, Account.renewal_date] if by_day else [CurrentTier.tier]
    return (
        select(*keys, func.count(), func.coalesce(func.sum(Account.arr_cents), 0))
        .select_from(Account)
        .outerjoin(
            CurrentTier,
            and_(CurrentTier.account_id == Account.id, CurrentTier.scheme_id == scheme_id),
        )
        .where(Account.renewal_date.between(start, end))
        .group_by(*keys)
    )
