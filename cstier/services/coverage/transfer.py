"""Write a checked assignment: new owner, assignment history, handoffs and the audit trail."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, AccountCoverage, AssignmentChange, Handoff
from cstier.services import audit

HANDOFF_DAYS = 14


@dataclass
class Assignment:
    """Where accounts go and why; `override_reason` lets a manager pass overridable refusals."""

    csm_id: int | None = None
    pool_id: int | None = None
    reason: str = ""
    override_reason: str | None = None
    handoff_due: date | None = None
    handoff_notes: str = ""


@dataclass
class AssignmentResult:
    """How many accounts moved, stayed, and how many handoffs were opened."""

    changed: int
    unchanged: int
    handoffs: int


def record_assignment(
    session: Session,
    actor: Actor,
    accounts: list[Account],
    coverage: dict[int, AccountCoverage],
    assignment: Assignment,
    *,
    overridden: bool,
    now: datetime,
) -> AssignmentResult:
    """Move the checked accounts; write history, a handoff per change of CSM, and audit."""
    changed = unchanged = handoffs = 0
    reason = assignment.reason.strip()
    if assignment.override_reason and overridden:
        reason = f"{reason} (override: {assignment.override_reason.strip()})"
    due = assignment.handoff_due or (now.date() + timedelta(days=HANDOFF_DAYS))
    for account in accounts:
        row = coverage.get(account.id)
        if row is None:
            row = AccountCoverage(account_id=account.id, needs_reassignment=False)
            session.add(row)
        before = {"csm_id": account.csm_id, "pool_id": row.pool_id}
        after = {"csm_id": assignment.csm_id, "pool_id": assignment.pool_id}
        row.needs_reassignment, row.suggested_owner_id, row.updated_at = False, None, now
        if before == after:
            unchanged += 1
            continue
        account.csm_id, row.pool_id = assignment.csm_id, assignment.pool_id
        session.add(
            AssignmentChange(
                account_id=account.id,
                from_csm_id=before["csm_id"],
                to_csm_id=after["csm_id"],
                from_pool_id=before["pool_id"],
                to_pool_id=after["pool_id"],
                reason=reason,
                overridden=overridden,
                by_user_id=actor.user_id,
                at=now,
            )
        )
        if before["csm_id"] is not None and before["csm_id"] != after["csm_id"]:
            handoffs += 1
            session.add(
                Handoff(
                    account_id=account.id,
                    from_csm_id=before["csm_id"],
                    to_csm_id=after["csm_id"],
                    due_date=due,
                    notes=assignment.handoff_notes.strip() or reason,
                    created_by_id=actor.user_id,
                    created_at=now,
                )
            )
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="account",
            entity_id=account.id,
            action="assign",
            before=before,
            after={**after, "reason": reason},
        )
        changed += 1
    return AssignmentResult(changed=changed, unchanged=unchanged, handoffs=handoffs)
