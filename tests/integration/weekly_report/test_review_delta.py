"""The stored week review with the accounts changed since added equals the week computed live."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import Account, TierChange, TierScheme
from cstier.services.reports import movement_between, scheme_tiers, tier_review
from cstier.services.week_review import store_week_reviews
from cstier.store.book_marks import writes_are_marked
from tests.factories import AccountFactory, CompanyFactory, TierChangeFactory
from tests.integration.test_week_moves import ENDS_AT, STARTS_AT, chained_history

WEEK = STARTS_AT.date()
STORED = STARTS_AT + timedelta(days=4)
LATER = STARTS_AT + timedelta(days=6)


def served(admin):
    return tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)


def live():
    return movement_between(db.session, SYSTEM_ACTOR, STARTS_AT, ENDS_AT, scheme_tiers(db.session))


def held(account_id: int, scheme_id: int) -> str | None:
    """Return the tier the account holds in the scheme, by its last change."""
    return db.session.scalar(
        select(TierChange.to_tier)
        .where(TierChange.account_id == account_id, TierChange.scheme_id == scheme_id)
        .order_by(TierChange.at.desc(), TierChange.id.desc())
        .limit(1)
    )


def move(account_id: int, scheme: TierScheme, to_tier: str, hours: float) -> None:
    """Write a tier change from the tier held, as a run or an applied override writes it."""
    db.session.add(
        TierChangeFactory.build(
            account_id=account_id,
            scheme=scheme,
            from_tier=held(account_id, scheme.id),
            to_tier=to_tier,
            at=STARTS_AT + timedelta(hours=hours),
        )
    )
    db.session.commit()


def other_tier(scheme: TierScheme, account_id: int, rng: random.Random) -> str:
    tiers = scheme_tiers(db.session)[scheme.id].tiers
    return rng.choice([t for t in tiers if t != held(account_id, scheme.id)])


def assert_served_live(admin, changed: int | None) -> None:
    """The page equals the live week; served stored with `changed` accounts added (PostgreSQL)."""
    report = served(admin)
    assert report.review == live()
    if not writes_are_marked(db.session):
        assert report.moves_stored_at is None  # SQLite always computes the week
    elif changed is None:
        assert report.moves_stored_at is None
    else:
        assert report.moves_stored_at == STORED and report.moves_changed_since == changed


@pytest.mark.parametrize("seed", range(4))
def test_writes_after_the_store_are_added_to_the_stored_week(
    db_session, admin, csm, other_csm, seed
):
    rng = random.Random(200 + seed)
    chained_history(rng, [csm, other_csm])
    stored = store_week_reviews(db.session, STORED)
    assert stored == (2 if writes_are_marked(db.session) else 0)
    assert_served_live(admin, 0)
    schemes = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).all()
    value = schemes[0]
    accounts = db.session.scalars(select(Account.id).order_by(Account.id)).all()
    # An override applied: one account, one scheme, later in the week.
    overridden = rng.choice(accounts)
    move(overridden, value, other_tier(value, overridden, rng), 100)
    assert_served_live(admin, 1)
    # An account that moves and comes back within the week.
    returning = rng.choice([a for a in accounts if held(a, value.id)])
    back = held(returning, value.id)
    move(returning, value, other_tier(value, returning, rng), 101)
    move(returning, value, back, 102)
    # An account first tiered after the store.
    new = AccountFactory(name="Newly tiered", company=CompanyFactory(), arr_cents=70_000_00)
    move(new.id, value, scheme_tiers(db.session)[value.id].tiers[0], 103)
    # An account with several changes in several schemes, one of them the overridden one.
    for hours, scheme in enumerate(schemes[:3]):
        move(overridden, scheme, other_tier(scheme, overridden, rng), 104 + hours)
    assert_served_live(admin, 3)
    # A re-tier of a few accounts: every scheme, some changes dated before the stored ones.
    few = rng.sample(accounts, 6)
    for account_id in few:
        for scheme in schemes:
            move(account_id, scheme, other_tier(scheme, account_id, rng), rng.choice([20, 110]))
    assert_served_live(admin, len({overridden, returning, new.id, *few}))
    # The next run stores the week again: nothing left to add.
    store_week_reviews(db.session, STORED)
    assert_served_live(admin, 0)


def test_a_deleted_account_or_an_arr_update_send_the_page_back_to_computing(
    db_session, admin, csm, other_csm
):
    chained_history(random.Random(300), [csm, other_csm])
    store_week_reviews(db.session, STORED)
    value = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).first()
    moved = db.session.scalars(select(TierChange.account_id).where(TierChange.at >= STARTS_AT))
    first, second = list(dict.fromkeys(moved))[:2]
    # An ARR updated alone: the stored week stands, ARR as the run saw it.
    db.session.execute(update(Account).where(Account.id == first).values(arr_cents=1_00))
    db.session.commit()
    report = served(admin)
    assert (report.moves_stored_at is not None) == writes_are_marked(db.session)
    # An ARR updated and a tier changed: the changed account's stored ARR is unknown.
    move(second, value, other_tier(value, second, random.Random(1)), 120)
    assert_served_live(admin, None)
    store_week_reviews(db.session, STORED)
    assert_served_live(admin, 0)
    # A deleted account's moves leave the week; nothing says which: computed live.
    db.session.execute(delete(Account).where(Account.id == first))
    db.session.commit()
    assert_served_live(admin, None)
    store_week_reviews(db.session, STORED)
    assert_served_live(admin, 0)
    # A tier change rewritten likewise.
    db.session.execute(update(TierChange).where(TierChange.account_id == second).values(at=LATER))
    db.session.commit()
    assert_served_live(admin, None)


def test_changes_of_a_later_week_leave_the_stored_week_as_it_was(db_session, admin, csm, other_csm):
    chained_history(random.Random(400), [csm, other_csm])
    store_week_reviews(db.session, STORED)
    value = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).first()
    account_id = db.session.scalars(select(Account.id).order_by(Account.id)).first()

    move(account_id, value, other_tier(value, account_id, random.Random(2)), 7 * 24 + 10)
    assert_served_live(admin, 0)  # nothing of this week changed: the copy stands

    # With an ARR updated too the copy still stands: no account of this week needs its ARR.
    db.session.execute(update(Account).where(Account.id == account_id).values(arr_cents=1_00))
    db.session.commit()
    report = served(admin)
    assert (report.moves_stored_at is not None) == writes_are_marked(db.session)
    assert report.moves_changed_since in (0, None)
