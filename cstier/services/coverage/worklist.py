"""The reassignment worklist: flagged accounts, their suggested owner, and accepting them."""

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cstier.domain.coverage import csm_loads
from cstier.domain.coverage.added_load import load_after
from cstier.domain.permissions import Actor, can_manage_book, sees_whole_book
from cstier.models import Account, AccountCoverage, CoverageChange, CoverageModel, TieringRun, User
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.assign import assign_accounts
from cstier.services.coverage.transfer import Assignment
from cstier.services.dashboards.figures import CappedCount, capped_count
from cstier.services.errors import Forbidden, ServiceError, ValidationFailed

PER_PAGE = 50
RECENT_RUNS = 26  # where the old model is looked up: half a year of weekly runs
DEFAULT_REASON = "Coverage model changed: suggested owner accepted"


@dataclass
class WorklistPage:
    """One page of flagged accounts, by account id, and where the next one starts."""

    rows: list[dict]
    total: CappedCount
    after: int | None
    next_after: int | None


@dataclass
class Pick:
    """An accepted suggestion: the account, the CSM suggested, the account version seen."""

    account_id: int
    csm_id: int
    version: int | None = None


@dataclass
class AcceptOutcome:
    """What accepting did: accounts reassigned, kept with their owner, handoffs, refusals."""

    reassigned: int = 0
    kept: int = 0
    handoffs: int = 0
    refused: list[str] = field(default_factory=list)


def reassignment_worklist(
    session: Session, actor: Actor, after: int | None = None, per_page: int = PER_PAGE
) -> WorklistPage:
    """Return the flagged accounts after an account id: old → new model, suggestion, loads."""
    if not sees_whole_book(actor):
        raise Forbidden("The reassignment worklist is for managers.")
    flagged = select(AccountCoverage.account_id).where(AccountCoverage.needs_reassignment.is_(True))
    stmt = (
        select(
            Account.id,
            Account.name,
            Account.arr_cents,
            Account.version,
            Account.csm_id,
            AccountCoverage.coverage_model_id,
            AccountCoverage.suggested_owner_id,
        )
        .join(AccountCoverage, AccountCoverage.account_id == Account.id)
        .where(AccountCoverage.needs_reassignment.is_(True))
        .order_by(Account.id)
        .limit(per_page + 1)
    )
    if after is not None:
        stmt = stmt.where(Account.id > after)
    found = session.execute(stmt).all()
    page, more = found[:per_page], len(found) > per_page
    rows = _rows(session, page)
    return WorklistPage(
        rows=rows,
        total=capped_count(session, flagged),
        after=after,
        next_after=page[-1].id if more else None,
    )


def accept_suggestions(
    session: Session, actor: Actor, picks: list[Pick], reason: str, accept_all: bool = False
) -> AcceptOutcome:
    """Give the picked (or all) flagged accounts to their suggested CSM, one transaction per CSM.

    A pick whose account changed since the page was read, or whose CSM refuses it, is
    reported and left flagged; the others go through.
    """
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins accept suggestions.")
    if accept_all:
        picks = _all_picks(session)
    if not picks:
        raise ValidationFailed(
            "Nothing was accepted.", {"pick": ["Check at least one suggestion, or accept all."]}
        )
    by_csm: dict[int, list[Pick]] = {}
    for pick in picks:
        by_csm.setdefault(pick.csm_id, []).append(pick)
    outcome = AcceptOutcome()
    for csm_id, chosen in sorted(by_csm.items()):
        versions = {p.account_id: p.version for p in chosen if p.version is not None}
        assignment = Assignment(csm_id=csm_id, reason=(reason or "").strip() or DEFAULT_REASON)
        try:
            result = assign_accounts(
                session, actor, [p.account_id for p in chosen], assignment, versions
            )
        except ServiceError as exc:
            session.rollback()
            outcome.refused.append(
                f"{_plural(len(chosen), 'account')} for {_name(session, csm_id)}: {exc}"
            )
        else:
            outcome.reassigned += result.changed
            outcome.kept += result.unchanged
            outcome.handoffs += result.handoffs
    return outcome


def parse_picks(values: list[str]) -> list[Pick]:
    """Parse 'account:csm:version' picks from the worklist form; refuse malformed ones."""
    picks = []
    for value in values:
        try:
            account, csm, version = value.split(":")
            picks.append(Pick(int(account), int(csm), int(version) if version else None))
        except ValueError as exc:
            raise ValidationFailed(
                "A suggestion was not understood; reload the page.", {"pick": [value[:40]]}
            ) from exc
    return picks


def account_suggestion(session: Session, account_id: int) -> dict | None:
    """Return the account's pending suggestion (flag and suggested CSM), or None if not flagged."""
    row = session.execute(
        select(AccountCoverage.suggested_owner_id, User.name)
        .outerjoin(User, User.id == AccountCoverage.suggested_owner_id)
        .where(
            AccountCoverage.account_id == account_id,
            AccountCoverage.needs_reassignment.is_(True),
        )
    ).first()
    if row is None:
        return None
    return {"csm_id": row.suggested_owner_id, "csm": row.name}


def _rows(session: Session, page: list) -> list[dict]:
    if not page:
        return []
    ids = [r.id for r in page]
    old = _previous_models(session, ids)
    models = coverage_reads.models_frame(session)
    model_names = dict(session.execute(select(CoverageModel.id, CoverageModel.name)).all())
    people = {r.csm_id for r in page} | {r.suggested_owner_id for r in page}
    names = dict(
        session.execute(select(User.id, User.name).where(User.id.in_(people - {None}))).all()
    )
    suggested = [r for r in page if r.suggested_owner_id is not None]
    before, after = _loads(session, suggested, models)
    return [
        {
            "account_id": r.id,
            "name": r.name,
            "arr_cents": r.arr_cents,
            "csm_id": r.csm_id,
            "csm": names.get(r.csm_id),
            "old_model": model_names.get(old.get(r.id)),
            "new_model": model_names.get(r.coverage_model_id),
            "suggested_id": r.suggested_owner_id,
            "suggested": names.get(r.suggested_owner_id),
            "load_before": before.get(r.suggested_owner_id),
            "load_after": after.get(r.id),
            "kept": r.suggested_owner_id is not None and r.suggested_owner_id == r.csm_id,
            "pick": f"{r.id}:{r.suggested_owner_id}:{r.version}",
        }
        for r in page
    ]


def _previous_models(session: Session, account_ids: list[int]) -> dict[int, int | None]:
    """Return the model each account had before its latest coverage change, from recent runs."""
    run_ids = list(
        session.scalars(select(TieringRun.id).order_by(TieringRun.id.desc()).limit(RECENT_RUNS))
    )
    stmt = (
        select(CoverageChange.account_id, CoverageChange.from_model_id)
        .where(
            or_(CoverageChange.run_id.in_(run_ids or [-1]), CoverageChange.run_id.is_(None)),
            CoverageChange.account_id.in_(account_ids),
        )
        .order_by(CoverageChange.id)
    )
    return {account_id: model for account_id, model in session.execute(stmt)}


def _loads(session: Session, suggested: list, models: pd.DataFrame) -> tuple[dict, dict]:
    """Return each suggested CSM's load now, and each account's CSM load once it is added."""
    if not suggested:
        return {}, {}
    csm_ids = sorted({int(r.suggested_owner_id) for r in suggested})
    csms = coverage_reads.csms_frame(session)
    csms = csms[csms["csm_id"].isin(csm_ids)]
    loads = csm_loads(coverage_reads.owned_book_frame(session, csm_ids), csms, models)
    additions = pd.DataFrame(
        {
            "account_id": [r.id for r in suggested],
            "csm_id": [int(r.suggested_owner_id) for r in suggested],
            "coverage_model_id": pd.array([r.coverage_model_id for r in suggested], dtype="Int64"),
            "arr_cents": [r.arr_cents or 0 for r in suggested],
        }
    )
    after = load_after(loads, additions, models)
    before = {int(c): float(v) for c, v in zip(loads["csm_id"], loads["load"], strict=True)}
    return before, dict(zip(additions["account_id"], after.tolist(), strict=True))


def _all_picks(session: Session) -> list[Pick]:
    stmt = (
        select(AccountCoverage.account_id, AccountCoverage.suggested_owner_id)
        .where(
            AccountCoverage.needs_reassignment.is_(True),
            AccountCoverage.suggested_owner_id.is_not(None),
        )
        .order_by(AccountCoverage.account_id)
    )
    return [Pick(int(a), int(c)) for a, c in session.execute(stmt)]


def _name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.name if user else f"user {user_id}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
