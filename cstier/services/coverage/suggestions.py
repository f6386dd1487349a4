"""Propose owners for unassigned and flagged accounts; accept all or some of the proposals."""

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.coverage import suggest_owners
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Account, Pool, User
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.assign import Assignment, assign_accounts
from cstier.services.errors import Forbidden, ServiceError, ValidationFailed


@dataclass
class AcceptResult:
    """How many proposals gave an account a new owner, kept its owner, and why others were not."""

    applied: int = 0
    kept: int = 0
    skipped: list[str] = field(default_factory=list)


def propose(session: Session) -> pd.DataFrame:
    """Return one proposal per open account: account_id, csm_id, pool_id, kept, reason."""
    return suggest_owners(
        coverage_reads.open_accounts_frame(session),
        coverage_reads.csms_frame(session),
        coverage_reads.models_frame(session),
        coverage_reads.pools_frame(session),
        coverage_reads.book_frame(session),
    )


def describe(session: Session, proposals: pd.DataFrame, limit: int = 500) -> list[dict]:
    """Return display rows for the first proposals: account, model, current and proposed owner."""
    shown = proposals.head(limit)
    ids = [int(a) for a in shown["account_id"]]
    accounts = (
        {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}
        if ids
        else {}
    )
    users = {u.id: u.name for u in session.scalars(select(User).where(User.role == "csm"))}
    pools = {p.id: p.name for p in session.scalars(select(Pool))}
    rows = []
    for proposal in shown.itertuples():
        account = accounts[int(proposal.account_id)]
        csm_id = None if pd.isna(proposal.csm_id) else int(proposal.csm_id)
        pool_id = None if pd.isna(proposal.pool_id) else int(proposal.pool_id)
        rows.append(
            {
                "account_id": account.id,
                "name": account.name,
                "arr_cents": account.arr_cents,
                "current": users.get(account.csm_id) if account.csm_id else None,
                "csm_id": csm_id,
                "csm": users.get(csm_id) if csm_id else None,
                "pool_id": pool_id,
                "pool": pools.get(pool_id) if pool_id else None,
                "kept": bool(proposal.kept),
                "reason": proposal.reason,
                "pick": f"{account.id}:{csm_id or ''}:{pool_id or ''}",
            }
        )
    return rows


def parse_picks(values: list[str]) -> list[tuple[int, int | None, int | None]]:
    """Parse 'account:csm:pool' picks from the review form; refuse malformed ones."""
    picks = []
    for value in values:
        try:
            account, csm, pool = value.split(":")
            picks.append((int(account), int(csm) if csm else None, int(pool) if pool else None))
        except ValueError as exc:
            raise ValidationFailed("A proposal was not understood; reload the page.") from exc
    return picks


def all_picks(proposals: pd.DataFrame) -> list[tuple[int, int | None, int | None]]:
    """Return every proposal that names an owner, as picks."""
    placed = proposals[proposals["csm_id"].notna()]
    return [
        (int(a), int(c), None if pd.isna(p) else int(p))
        for a, c, p in zip(placed["account_id"], placed["csm_id"], placed["pool_id"], strict=True)
    ]


def accept(
    session: Session, actor: Actor, picks: list[tuple[int, int | None, int | None]], reason: str
) -> AcceptResult:
    """Assign the picked proposals, one transaction per target; report the ones refused."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins accept suggestions.")
    by_target: dict[tuple, list[int]] = {}
    for account_id, csm_id, pool_id in picks:
        if csm_id is not None:
            by_target.setdefault((csm_id, pool_id), []).append(account_id)
    result = AcceptResult()
    for (csm_id, pool_id), account_ids in sorted(by_target.items(), key=lambda kv: kv[0][0]):
        assignment = Assignment(csm_id=csm_id, pool_id=pool_id, reason=reason or "Suggestion")
        try:
            outcome = assign_accounts(session, actor, account_ids, assignment)
        except ServiceError as exc:
            session.rollback()
            result.skipped.append(
                f"{len(account_ids)} accounts for {_name(session, csm_id)}: {exc}"
            )
        else:
            # A kept proposal leaves the owner as they were: it clears the flag, it is no change.
            result.applied += outcome.changed
            result.kept += outcome.unchanged
    return result


def _name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.name if user else f"user {user_id}"
