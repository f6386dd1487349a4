"""The tier page's totals: stored by a run, served only while they equal the live count."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import TierScheme
from cstier.models.base import utcnow
from cstier.services.accounts import update_account
from cstier.services.imports import ImportRequest, import_file
from cstier.services.tiering import overrides, segments, tier_totals
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.book_marks import writes_are_marked
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.tiering.test_current_arr import subscribe, this_morning


def live(session) -> dict:
    """Count every active scheme's tiers over the whole book now, as {scheme_id: {tier: …}}."""
    ids = list(session.scalars(select(TierScheme.id).where(TierScheme.active.is_(True))))
    return by_tier(tier_totals.count_tiers(session, SYSTEM_ACTOR, ids))


def by_tier(counted: dict) -> dict:
    return {
        scheme_id: {t["tier"]: (t["accounts"], t["arr_cents"]) for t in tiers}
        for scheme_id, tiers in counted.items()
    }


def page(session, actor: Actor) -> dict:
    """Return what the tier page shows the actor, as {scheme_id: {tier: (accounts, ARR)}}."""
    return by_tier({s["scheme"].id: s["tiers"] for s in segments.tier_summary(session, actor)})


def current(totals) -> bool:
    """Stored totals are served where the database marks writes (PostgreSQL), never elsewhere."""
    return (totals is not None) == writes_are_marked(db.session)


def stored(session) -> dict | None:
    totals = tier_totals.stored_tier_totals(session)
    return None if totals is None else by_tier(totals)


@pytest.fixture
def admin_actor(admin) -> Actor:
    return Actor(admin.id, "admin")


@pytest.fixture
def today() -> date:
    return utcnow().date()


@pytest.fixture
def tiered(db_session, today):
    """Three accounts tiered this morning: one with two running subscriptions, one lapsed."""
    ensure_default_schemes(db_session)
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    accounts = {
        "two": AccountFactory(name="Two subs", company=company, arr_cents=10_000_00),
        "lapsed": AccountFactory(name="Lapsed", company=company, arr_cents=100_000_00),
        "bare": AccountFactory(name="Bare", company=company, arr_cents=30_000_00),
    }
    subscribe(accounts["two"], 13_000, today - timedelta(days=400))
    subscribe(accounts["two"], 13_000, today - timedelta(days=30), end=today + timedelta(days=1))
    subscribe(accounts["lapsed"], 90_000, today - timedelta(days=400), end=today)
    retier_book(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning())
    return accounts


def value_scheme(session) -> TierScheme:
    return session.scalars(select(TierScheme).where(TierScheme.key == "value_tiers")).one()


def test_a_run_stores_the_totals_the_page_then_serves(db_session, tiered, admin_actor):
    totals = stored(db_session)

    assert current(totals)
    if totals is not None:
        assert {k: v for k, v in totals.items() if k in live(db_session)} == live(db_session)
    assert page(db_session, admin_actor) == live(db_session)
    value = value_scheme(db_session).id
    assert page(db_session, admin_actor)[value] == {
        "Strategic": (1, 312_000_00),
        "Scale": (2, 30_000_00),
    }


def test_an_override_changes_nothing_until_the_run_that_applies_it(
    db_session, tiered, admin_actor, admin
):
    scheme = value_scheme(db_session)
    overrides.create_override(
        db_session,
        admin_actor,
        account_id=tiered["bare"].id,
        scheme_id=scheme.id,
        tier="Strategic",
        reason="Board-level sponsor",
        expires_at=None,
    )
    assert current(stored(db_session))  # the override applies at the next run
    assert page(db_session, admin_actor) == live(db_session)

    retier_book(db_session, SYSTEM_ACTOR, trigger="cli", now=this_morning() + timedelta(hours=1))

    assert current(stored(db_session))
    assert page(db_session, admin_actor) == live(db_session)
    assert page(db_session, admin_actor)[scheme.id]["Strategic"] == (2, 342_000_00)


def test_a_subscription_import_makes_the_totals_stale_until_its_retier(
    db_session,
    tiered,
    admin_actor,
    today,
    tmp_path,
):
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "external_id,account_external_id,product,start_date,end_date,mrr\n"
        f"IMP-1,{tiered['bare'].external_id},Platform,{today - timedelta(days=5)},,5000\n"
    )
    before = page(db_session, admin_actor)

    import_file(db.session, ImportRequest("subscriptions", path, path.name, retier=False))

    assert stored(db_session) is None
    assert page(db_session, admin_actor) == live(db_session) != before
    value = value_scheme(db_session).id
    assert page(db_session, admin_actor)[value]["Scale"] == (2, 60_000_00)

    path.write_text(
        "external_id,account_external_id,product,start_date,end_date,mrr\n"
        f"IMP-2,{tiered['bare'].external_id},Add-on,{today - timedelta(days=5)},,20000\n"
    )
    import_file(db.session, ImportRequest("subscriptions", path, path.name, retier=True))

    assert current(stored(db_session))
    assert page(db_session, admin_actor) == live(db_session)
    assert page(db_session, admin_actor)[value]["Strategic"] == (2, 312_000_00 + 300_000_00)


def test_an_arr_edit_makes_them_stale_and_a_rename_does_not(db_session, tiered, admin_actor):
    bare = tiered["bare"]
    update_account(db_session, admin_actor, bare.id, {"name": "Bare renamed"}, bare.version)
    assert current(stored(db_session))

    update_account(db_session, admin_actor, bare.id, {"arr_cents": 40_000_00}, bare.version)

    assert stored(db_session) is None
    assert page(db_session, admin_actor) == live(db_session)
    assert page(db_session, admin_actor)[value_scheme(db_session).id]["Scale"] == (2, 40_000_00)


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE account SET arr_cents = arr_cents + 100",
        "DELETE FROM subscription",
        "UPDATE subscription SET mrr_cents = mrr_cents + 1",
        "DELETE FROM current_tier WHERE scheme_id = (SELECT min(id) FROM tier_scheme)",
    ],
)
def test_any_write_path_marks_the_book(db_session, tiered, admin_actor, write):
    """Written in plain SQL, as psql or a BI tool would: the database marks it, not the app."""
    db_session.execute(text(write))
    db_session.commit()

    assert stored(db_session) is None
    assert page(db_session, admin_actor) == live(db_session)


def test_totals_for_another_day_are_never_served(db_session, tiered, today):
    assert current(tier_totals.stored_tier_totals(db_session, today))
    assert tier_totals.stored_tier_totals(db_session, today + timedelta(days=1)) is None


def test_a_rolled_back_write_leaves_them_current(db_session, tiered):
    db_session.execute(text("UPDATE account SET arr_cents = 0"))
    db_session.rollback()

    assert current(stored(db_session))


def test_storing_again_after_a_write_serves_the_new_totals(db_session, tiered, admin_actor):
    subscribe(tiered["bare"], 30_000, this_morning().date() - timedelta(days=1))
    assert stored(db_session) is None

    tier_totals.store_tier_totals(db_session)

    assert current(stored(db_session))
    assert page(db_session, admin_actor) == live(db_session)


def test_a_csm_sees_their_own_book_counted_live(db_session, tiered, csm):
    account = tiered["two"]
    db_session.execute(
        text("UPDATE account SET csm_id = :csm WHERE id = :id"), {"csm": csm.id, "id": account.id}
    )
    db_session.commit()
    tier_totals.store_tier_totals(db_session)

    mine = page(db_session, Actor(csm.id, "csm"))

    assert mine[value_scheme(db_session).id] == {"Strategic": (1, 312_000_00)}


def test_a_write_committing_while_totals_are_stored_is_never_hidden(
    db_session,
    tiered,
    admin_actor,
    today,
):
    """A writer still open when a store starts: its data is in the totals or its mark stays."""
    engine = db.engine
    writer = engine.connect()
    writer.execute(
        text(
            "INSERT INTO subscription (external_id, account_id, product, start_date, mrr_cents,"
            " quantity, created_at, updated_at) VALUES ('LATE-1', :account, 'Platform', :day,"
            " 1000000, 1, :day, :day)"
        ),
        {"account": tiered["bare"].id, "day": today - timedelta(days=1)},
    )
    failures: list[BaseException] = []

    def store() -> None:
        try:
            with Session(engine) as session:
                tier_totals.store_tier_totals(session)
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    storing = threading.Thread(target=store)
    storing.start()
    storing.join(timeout=1)  # PostgreSQL stores meanwhile; SQLite waits for the writer
    writer.commit()
    writer.close()
    storing.join()

    assert not failures
    db_session.expire_all()
    totals = stored(db_session)
    assert totals is None or {k: totals.get(k, {}) for k in live(db_session)} == live(db_session)
    assert page(db_session, admin_actor) == live(db_session)
    assert page(db_session, admin_actor)[value_scheme(db_session).id]["Scale"] == (
        2,
        120_000_00,
    )
