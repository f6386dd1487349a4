"""CSM profiles, pools, handoffs and a CSM's own book."""

from datetime import UTC, date, datetime

import pytest

from cstier.domain.permissions import Actor
from cstier.models import AccountCoverage, AssignmentChange, Handoff, Pool
from cstier.services.coverage import book, handoffs, profiles
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from tests.factories import AccountFactory


def actor(user) -> Actor:
    return Actor(user_id=user.id, role=user.role)


def test_save_profile_normalises_lists(db_session, seeded, manager, csm):
    saved = profiles.save_profile(
        db_session,
        actor(manager),
        csm.id,
        {"fte": "0.8", "regions": ["EMEA", " APAC ", "EMEA"], "coverage_model_keys": ["pooled"]},
        expected_version=0,
    )
    assert (str(saved.fte), saved.regions, saved.coverage_model_keys) == (
        "0.80",
        ["APAC", "EMEA"],
        ["pooled"],
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"fte": "0"}, "fte"),
        ({"fte": "abc"}, "fte"),
        ({"fte": "1", "coverage_model_keys": ["x"]}, "coverage_model_keys"),
    ],
)
def test_profile_validation(db_session, seeded, manager, csm, values, field):
    with pytest.raises(ValidationFailed) as caught:
        profiles.save_profile(db_session, actor(manager), csm.id, values, 0)
    assert field in caught.value.errors


def test_profile_is_for_csms_and_by_managers(db_session, seeded, manager, csm, viewer):
    with pytest.raises(NotFound):
        profiles.save_profile(db_session, actor(manager), viewer.id, {"fte": "1"}, 0)
    with pytest.raises(Forbidden):
        profiles.save_profile(db_session, actor(csm), csm.id, {"fte": "1"}, 0)


def test_pool_crud(db_session, seeded, manager, csm, viewer):
    values = {
        "name": "Pooled EMEA",
        "coverage_model_id": seeded["pooled"].id,
        "member_ids": [csm.id],
    }
    pool = profiles.save_pool(db_session, actor(manager), None, values, None)
    with pytest.raises(ValidationFailed):
        profiles.save_pool(db_session, actor(manager), None, values, None)  # same name
    with pytest.raises(ValidationFailed):
        profiles.save_pool(
            db_session, actor(manager), pool.id, {**values, "member_ids": [viewer.id]}, 1
        )
    account = AccountFactory()
    db_session.add(AccountCoverage(account_id=account.id, pool_id=pool.id))
    db_session.commit()
    with pytest.raises(ValidationFailed):
        profiles.delete_pool(db_session, actor(manager), pool.id, pool.version)
    assert book.pool_queues(db_session, actor(csm))[0][1] == 1
    assert profiles.pool_account_counts(db_session) == {pool.id: 1}


def test_a_pool_named_in_the_assignment_history_is_kept(db_session, seeded, manager):
    pool = profiles.save_pool(
        db_session,
        actor(manager),
        None,
        {"name": "Old", "coverage_model_id": seeded["pooled"].id},
        None,
    )
    account = AccountFactory()
    db_session.add(AssignmentChange(account_id=account.id, from_pool_id=pool.id, reason="moved"))
    db_session.commit()

    with pytest.raises(ValidationFailed, match="assignment history"):
        profiles.delete_pool(db_session, actor(manager), pool.id, pool.version)

    assert db_session.get(Pool, pool.id) is not None
    with pytest.raises(NotFound):
        profiles.get_pool(db_session, pool.id + 1)


def test_handoffs_are_seen_by_both_csms_and_done_once(db_session, manager, csm, other_csm, viewer):
    account = AccountFactory(csm=other_csm)
    handoff = Handoff(account_id=account.id, from_csm_id=csm.id, to_csm_id=other_csm.id)
    db_session.add(handoff)
    db_session.commit()
    third = AccountFactory()
    db_session.add(Handoff(account_id=third.id, from_csm_id=None, to_csm_id=manager.id))
    db_session.commit()
    assert [h.id for h in handoffs.list_handoffs(db_session, actor(csm))] == [handoff.id]
    assert [h.id for h in handoffs.list_handoffs(db_session, actor(other_csm))] == [handoff.id]
    assert len(handoffs.list_handoffs(db_session, actor(viewer))) == 2
    with pytest.raises(Forbidden):
        handoffs.complete_handoff(db_session, actor(viewer), handoff.id, handoff.version)
    done = handoffs.complete_handoff(
        db_session, actor(csm), handoff.id, handoff.version, now=datetime(2026, 11, 3, tzinfo=UTC)
    )
    assert done.done_at is not None
    assert handoffs.list_handoffs(db_session, actor(csm)) == []


def test_account_coverage_view_hides_other_books(db_session, seeded, csm, other_csm):
    account = AccountFactory(csm=other_csm)
    with pytest.raises(NotFound):
        book.account_coverage(db_session, actor(csm), account.id)
    view = book.account_coverage(db_session, actor(other_csm), account.id)
    assert view.coverage is None and view.history == []


def test_handoffs_page_due_first_scoped_and_counted(db_session, manager, csm, other_csm):
    due = [date(2026, 12, day) for day in (9, 3, 5)]
    for day in due:
        account = AccountFactory(csm=other_csm)
        db_session.add(
            Handoff(account_id=account.id, from_csm_id=csm.id, to_csm_id=other_csm.id, due_date=day)
        )
    db_session.add(Handoff(account_id=AccountFactory().id, to_csm_id=manager.id, due_date=due[0]))
    db_session.commit()

    first = handoffs.handoffs_page(db_session, actor(csm), 0, 2)
    rest = handoffs.handoffs_page(db_session, actor(csm), 2, 2)
    assert [h.due_date for h in first.rows + rest.rows] == sorted(due)
    assert (first.total, first.more) == (3, False)
    assert handoffs.handoffs_page(db_session, actor(manager), 0, 50).total == 4
    assert handoffs.handoffs_page(db_session, actor(csm), 50, 50).rows == []
