"""What one account's coverage is, and a CSM's own book."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from cstier.domain.permissions import Actor
from cstier.models import Account, AccountCoverage, AssignmentChange, Handoff, Pool, User
from cstier.services.accounts import AccountFilter, get_account, list_query


@dataclass
class AccountCoverageView:
    """Everything the account page's coverage card shows."""

    account: Account
    coverage: AccountCoverage | None
    suggested_owner: User | None
    history: list[AssignmentChange]
    handoffs: list[Handoff]
    names: dict[int, str]
    pool_names: dict[int, str]


def account_coverage(session: Session, actor: Actor, account_id: int) -> AccountCoverageView:
    """Return an account's model, pool, owner, flag, suggestion, history and open handoffs."""
    account = get_account(session, actor, account_id)
    coverage = session.scalar(
        select(AccountCoverage)
        .options(joinedload(AccountCoverage.coverage_model), joinedload(AccountCoverage.pool))
        .where(AccountCoverage.account_id == account_id)
    )
    history = list(
        session.scalars(
            select(AssignmentChange)
            .where(AssignmentChange.account_id == account_id)
            .order_by(AssignmentChange.at.desc(), AssignmentChange.id.desc())
            .limit(20)
        )
    )
    handoffs = list(
        session.scalars(
            select(Handoff)
            .where(Handoff.account_id == account_id, Handoff.done_at.is_(None))
            .order_by(Handoff.due_date)
        )
    )
    user_ids = {c.from_csm_id for c in history} | {c.to_csm_id for c in history}
    user_ids |= {c.by_user_id for c in history}
    suggested = None
    if coverage and coverage.suggested_owner_id:
        suggested = session.get(User, coverage.suggested_owner_id)
    names = dict(
        session.execute(select(User.id, User.name).where(User.id.in_(user_ids - {None}))).all()
    )
    pool_names = dict(session.execute(select(Pool.id, Pool.name)).all())
    return AccountCoverageView(account, coverage, suggested, history, handoffs, names, pool_names)


def my_book_query(actor: Actor):
    """Return the query for a CSM's own accounts, largest ARR first."""
    return (
        select(Account)
        .options(joinedload(Account.company))
        .where(Account.csm_id == actor.user_id)
        .order_by(Account.arr_cents.desc(), Account.id)
    )


def assignable_query(
    session: Session,
    actor: Actor,
    flt: AccountFilter,
    *,
    coverage_model_id: int | None = None,
    flagged: bool = False,
) -> Select:
    """Return the filtered accounts to assign, narrowed to one coverage model or to flagged ones."""
    stmt = list_query(session, actor, flt)
    if coverage_model_id or flagged:
        stmt = stmt.join(AccountCoverage, AccountCoverage.account_id == Account.id)
        if coverage_model_id:
            stmt = stmt.where(AccountCoverage.coverage_model_id == coverage_model_id)
        if flagged:
            stmt = stmt.where(AccountCoverage.needs_reassignment.is_(True))
    return stmt


def coverage_for(session: Session, account_ids: list[int]) -> dict[int, AccountCoverage]:
    """Return the coverage rows (with their model) of a page of accounts."""
    if not account_ids:
        return {}
    stmt = (
        select(AccountCoverage)
        .options(joinedload(AccountCoverage.coverage_model), joinedload(AccountCoverage.pool))
        .where(AccountCoverage.account_id.in_(account_ids))
    )
    return {c.account_id: c for c in session.scalars(stmt)}


def pool_queues(session: Session, actor: Actor) -> list[tuple[Pool, int]]:
    """Return the pools the CSM belongs to, with how many accounts wait there unowned."""
    pools = [
        p
        for p in session.scalars(select(Pool).order_by(Pool.name))
        if actor.user_id in {int(m) for m in p.member_ids or []}
    ]
    counts = dict(
        session.execute(
            select(AccountCoverage.pool_id, func.count())
            .join(Account, Account.id == AccountCoverage.account_id)
            .where(Account.csm_id.is_(None), AccountCoverage.pool_id.is_not(None))
            .group_by(AccountCoverage.pool_id)
        ).all()
    )
    return [(p, counts.get(p.id, 0)) for p in pools]
