"""Assign and reassign: checks, overrides, history, handoffs, audit and optimistic locking."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import Account, AccountCoverage, AssignmentChange, AuditLog, Handoff, Pool
from cstier.services.coverage.assign import Assignment, AssignmentRefused, assign_accounts
from cstier.services.coverage.derive import derive_coverage
from cstier.services.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import AccountFactory, UserFactory
from tests.integration.coverage.conftest import give_profile, set_tiers

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(db_session, seeded, csm, other_csm):
    """Two high-touch accounts owned by csm; both CSMs serve high-touch."""
    give_profile(csm, ["high_touch"])
    give_profile(other_csm, ["high_touch"])
    accounts = [AccountFactory(csm=csm, arr_cents=100_000_00) for _ in range(2)]
    for account in accounts:
        set_tiers(account, "Strategic", "High")
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    return accounts


def as_actor(user) -> Actor:
    return Actor(user_id=user.id, role=user.role)


def test_reassign_writes_history_handoff_and_audit(db_session, manager, csm, other_csm, book):
    ids = [a.id for a in book]
    result = assign_accounts(
        db_session,
        as_actor(manager),
        ids,
        Assignment(csm_id=other_csm.id, reason="Rebalance EMEA", handoff_notes="Intro call"),
        now=NOW,
    )
    assert (result.changed, result.unchanged, result.handoffs) == (2, 0, 2)
    assert all(db_session.get(Account, i).csm_id == other_csm.id for i in ids)
    change = db_session.scalars(select(AssignmentChange)).first()
    assert (change.from_csm_id, change.to_csm_id, change.reason, change.by_user_id) == (
        csm.id,
        other_csm.id,
        "Rebalance EMEA",
        manager.id,
    )
    handoff = db_session.scalars(select(Handoff)).first()
    assert (handoff.from_csm_id, handoff.to_csm_id) == (csm.id, other_csm.id)
    assert handoff.due_date == date(2026, 11, 16)  # 14 days by default
    assert handoff.notes == "Intro call"
    assert db_session.scalars(select(AuditLog).filter_by(action="assign")).all()


def test_first_assignment_opens_no_handoff(db_session, manager, csm, seeded):
    give_profile(csm, ["high_touch"])
    account = AccountFactory()
    result = assign_accounts(
        db_session, as_actor(manager), [account.id], Assignment(csm_id=csm.id, reason="New logo")
    )
    assert (result.changed, result.handoffs) == (1, 0)


def test_assigning_clears_the_reassignment_flag(db_session, manager, other_csm, book):
    coverage = db_session.get(AccountCoverage, book[0].id)
    coverage.needs_reassignment, coverage.suggested_owner_id = True, other_csm.id
    db_session.commit()
    assign_accounts(
        db_session, as_actor(manager), [book[0].id], Assignment(csm_id=other_csm.id, reason="Flag")
    )
    assert not db_session.get(AccountCoverage, book[0].id).needs_reassignment


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_managers_assign(db_session, book, other_csm, role):
    user = UserFactory(role=role)
    with pytest.raises(Forbidden):
        assign_accounts(
            db_session, as_actor(user), [book[0].id], Assignment(csm_id=other_csm.id, reason="x")
        )


def test_reason_is_required(db_session, manager, other_csm, book):
    with pytest.raises(ValidationFailed) as caught:
        assign_accounts(
            db_session, as_actor(manager), [book[0].id], Assignment(csm_id=other_csm.id)
        )
    assert "reason" in caught.value.errors


def refused(db_session, manager, ids, **assignment) -> AssignmentRefused:
    with pytest.raises(AssignmentRefused) as caught:
        assign_accounts(db_session, as_actor(manager), ids, Assignment(reason="try", **assignment))
    db_session.rollback()
    return caught.value


def test_inactive_csm_is_refused_then_passes_with_an_override(db_session, manager, other_csm, book):
    other_csm.active = False
    db_session.commit()
    error = refused(db_session, manager, [book[0].id], csm_id=other_csm.id)
    assert [r.code for r in error.refusals] == ["inactive"]
    assert error.overridable
    assert db_session.get(Account, book[0].id).csm_id != other_csm.id  # nothing changed
    assign_accounts(
        db_session,
        as_actor(manager),
        [book[0].id],
        Assignment(csm_id=other_csm.id, reason="Cover", override_reason="Back Monday"),
    )
    change = db_session.scalars(select(AssignmentChange)).one()
    assert change.overridden and "override: Back Monday" in change.reason


def test_csm_not_serving_the_model_is_refused(db_session, manager, other_csm, book):
    give_profile(other_csm, ["pooled"])
    error = refused(db_session, manager, [book[0].id], csm_id=other_csm.id)
    assert [r.code for r in error.refusals] == ["model_not_served"]
    assert "High-touch" in error.refusals[0].message
    assert error.account_ids == [book[0].id]
    assert f"Accounts: {book[0].name}." in str(error)


def test_a_refusal_names_five_accounts_and_counts_the_rest(db_session, manager, other_csm, book):
    extra = [AccountFactory(arr_cents=100_000_00) for _ in range(5)]
    for account in extra:
        set_tiers(account, "Strategic", "High")
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    give_profile(other_csm, ["pooled"])
    ids = [a.id for a in [*book, *extra]]
    error = refused(db_session, manager, ids, csm_id=other_csm.id)
    assert error.account_ids == sorted(ids)
    assert "and 2 more." in str(error)


def test_past_the_hard_limit_is_refused(db_session, manager, other_csm, book):
    give_profile(other_csm, ["high_touch"], fte="0.02")  # target: one account
    error = refused(db_session, manager, [a.id for a in book], csm_id=other_csm.id)
    assert [r.code for r in error.refusals] == ["over_hard_limit"]
    assert not db_session.scalars(select(AssignmentChange)).all()


def test_a_non_csm_cannot_be_overridden(db_session, manager, book):
    error = refused(db_session, manager, [book[0].id], csm_id=manager.id, override_reason="please")
    assert not error.overridable


def test_stale_version_is_a_conflict_and_changes_nothing(db_session, manager, other_csm, csm, book):
    account = book[0]
    seen = account.version
    assign_accounts(
        db_session,
        as_actor(manager),
        [account.id],
        Assignment(csm_id=other_csm.id, reason="First manager"),
        expected_versions={account.id: seen},
    )
    with pytest.raises(Conflict):
        assign_accounts(
            db_session,
            as_actor(manager),
            [account.id],
            Assignment(csm_id=csm.id, reason="Second manager"),
            expected_versions={account.id: seen},
        )
    db_session.rollback()
    assert db_session.get(Account, account.id).csm_id == other_csm.id


def test_concurrent_flush_is_a_conflict(app, db_session, manager, other_csm, book):
    """Another session saves the account between our read and our write."""
    account_id = book[0].id
    db.session.get(Account, account_id)  # loaded at version N in our session
    with app.app_context():
        other = db.session
        row = other.get(Account, account_id)
        row.name = "Renamed meanwhile"
        other.commit()
        other.close()
    with pytest.raises(Conflict):
        assign_accounts(
            db_session,
            as_actor(manager),
            [account_id],
            Assignment(csm_id=other_csm.id, reason="Race"),
        )


def test_pool_assignment_checks_the_pool_model(db_session, manager, seeded, book):
    pool = Pool(name="Pooled EMEA", coverage_model_id=seeded["pooled"].id, member_ids=[])
    db_session.add(pool)
    db_session.commit()
    error = refused(db_session, manager, [book[0].id], pool_id=pool.id)
    assert [r.code for r in error.refusals] == ["pool_model"]
    assert error.account_ids == [book[0].id]
    assign_accounts(
        db_session,
        as_actor(manager),
        [book[0].id],
        Assignment(pool_id=pool.id, reason="Pool it", override_reason="Trial"),
    )
    assert db_session.get(AccountCoverage, book[0].id).pool_id == pool.id
    assert db_session.get(Account, book[0].id).csm_id is None
