"""Assign or reassign accounts to a CSM or a pool, with checks, history, handoffs and audit."""

from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cstier.domain.coverage import Refusal, Target, blocking, refusals
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import Account, AccountCoverage, Pool
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.targets import load_target
from cstier.services.coverage.transfer import Assignment, AssignmentResult, record_assignment
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work

NAMED_ACCOUNTS = 5


class AssignmentRefused(ValidationFailed):
    """The assignment breaks a rule; `overridable` says whether a manager override may pass it.

    A refusal about some of the accounts (a model the CSM or pool does not serve) names
    them, so the manager knows which to leave out; `account_ids` lists them all.
    """

    def __init__(self, refusals_found: list[Refusal], names: dict[int, str] | None = None):
        names = names or {}
        messages = [r.message + _named(r.account_ids, names) for r in refusals_found]
        super().__init__("The assignment was refused: " + " ".join(messages), {"csm_id": messages})
        self.refusals = refusals_found
        self.messages = messages
        self.overridable = all(r.overridable for r in refusals_found)
        self.account_ids = sorted({a for r in refusals_found for a in r.account_ids})


def _named(account_ids: tuple[int, ...], names: dict[int, str]) -> str:
    """Return " Accounts: A, B and 3 more." for the accounts a refusal is about."""
    if not account_ids:
        return ""
    shown = [names.get(a, f"#{a}") for a in account_ids[:NAMED_ACCOUNTS]]
    more = len(account_ids) - len(shown)
    return f" Accounts: {', '.join(shown)}" + (f" and {more} more." if more else ".")


def assign_accounts(
    session: Session,
    actor: Actor,
    account_ids: list[int],
    assignment: Assignment,
    expected_versions: dict[int, int] | None = None,
    now: datetime | None = None,
) -> AssignmentResult:
    """Give the accounts to a CSM and/or pool in one transaction; all or nothing."""
    with unit_of_work(session):
        now = now or utcnow()
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins assign accounts.")
        _check_request(assignment, account_ids)
        accounts = _load_accounts(session, account_ids)
        _check_versions(accounts, expected_versions or {})
        coverage = {
            c.account_id: c
            for c in session.scalars(
                select(AccountCoverage).where(AccountCoverage.account_id.in_(account_ids))
            )
        }
        batch = pd.DataFrame(
            {
                "account_id": [a.id for a in accounts],
                "csm_id": [a.csm_id for a in accounts],
                "coverage_model_id": pd.array(
                    [
                        coverage[a.id].coverage_model_id if a.id in coverage else None
                        for a in accounts
                    ],
                    dtype="Int64",
                ),
                "arr_cents": [a.arr_cents or 0 for a in accounts],
            }
        )
        found = _refusals(session, assignment, batch)
        standing = blocking(found, assignment.override_reason)
        if standing:
            raise AssignmentRefused(standing, {a.id: a.name for a in accounts})
        result = record_assignment(
            session, actor, accounts, coverage, assignment, overridden=bool(found), now=now
        )
        try:
            session.flush()
        except StaleDataError as exc:
            session.rollback()
            raise Conflict(
                "Another manager changed one of these accounts at the same moment. "
                "Reload the list and assign again."
            ) from exc
    return result


def _check_request(assignment: Assignment, account_ids: list[int]) -> None:
    errors: dict[str, list[str]] = {}
    if not account_ids:
        errors["account_ids"] = ["Choose at least one account."]
    if assignment.csm_id is None and assignment.pool_id is None:
        errors["csm_id"] = ["Choose a CSM or a pool to assign to."]
    if not (assignment.reason or "").strip():
        errors["reason"] = ["Give a reason: the history and the handoff show it."]
    if errors:
        raise ValidationFailed("The assignment was not saved.", errors)


def _load_accounts(session: Session, account_ids: list[int]) -> list[Account]:
    wanted = sorted(set(account_ids))
    accounts = session.scalars(
        select(Account).where(Account.id.in_(wanted)).order_by(Account.id)
    ).all()
    if len(accounts) != len(wanted):
        missing = sorted(set(wanted) - {a.id for a in accounts})
        raise NotFound(f"No account with id {', '.join(map(str, missing))}.")
    return list(accounts)


def _check_versions(accounts: list[Account], expected: dict[int, int]) -> None:
    stale = [a.name for a in accounts if a.id in expected and a.version != expected[a.id]]
    if stale:
        raise Conflict(
            f"Someone else changed {', '.join(stale[:5])}{' and others' if len(stale) > 5 else ''} "
            "after you opened the list. Nothing was assigned: reload and try again."
        )


def _refusals(session: Session, assignment: Assignment, batch: pd.DataFrame) -> list[Refusal]:
    found: list[Refusal] = []
    models = coverage_reads.models_frame(session)
    if assignment.csm_id is not None:
        target: Target | None = load_target(session, assignment.csm_id)
        if target is None:
            raise ValidationFailed("No such CSM.", {"csm_id": ["Choose an existing CSM."]})
        book = coverage_reads.book_frame(session, csm_id=assignment.csm_id)
        book = book[~book["account_id"].isin(batch["account_id"])]
        found += refusals(target, book, batch, models)
    if assignment.pool_id is not None:
        pool = session.get(Pool, assignment.pool_id)
        if pool is None:
            raise ValidationFailed("No such pool.", {"pool_id": ["Choose an existing pool."]})
        others = batch["coverage_model_id"].dropna()
        others = others[others != pool.coverage_model_id]
        if len(others):
            found.append(
                Refusal(
                    "pool_model",
                    f"Pool {pool.name} serves {pool.coverage_model.name}; "
                    f"{len(others)} of these accounts have another coverage model.",
                    account_ids=tuple(int(a) for a in batch.loc[others.index, "account_id"]),
                )
            )
    return found
