"""Tier-change alerts over the database: moves only, newest first, the actor's book, filters."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import TierChange, TierScheme
from cstier.services.alerts import tier_alerts
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.integration.tiering.conftest import set_arr

JAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def moved(split_book):
    """First tiering in January (no alerts), then both accounts change value tier in February."""
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(split_book["mine"], 400_000)
    set_arr(split_book["theirs"], 20_000)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    return split_book


def admin_actor(user) -> Actor:
    return Actor(user.id, user.role)


def test_a_first_tiering_is_not_an_alert(db_session, admin, split_book):
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    assert db.session.scalar(select(db.func.count()).select_from(TierChange)) == 10
    assert tier_alerts(db.session, admin_actor(admin)).total == 0


def test_moves_are_alerts_with_names_and_direction(db_session, admin, moved):
    page = tier_alerts(db.session, admin_actor(admin))
    assert page.total == 2
    by_name = {a.account_name: a for a in page.items}
    mine, theirs = by_name["Mine"], by_name["Theirs"]
    assert (mine.scheme_name, mine.from_tier, mine.to_tier, mine.direction) == (
        "Value tiers", "Growth", "Strategic", "up",
    )  # fmt: skip
    assert (theirs.from_tier, theirs.to_tier, theirs.direction) == ("Strategic", "Scale", "down")
    assert mine.at == FEB and mine.scheme_key == "value_tiers"


def test_a_csm_sees_only_alerts_in_their_book(db_session, csm, other_csm, viewer, moved):
    assert [a.account_name for a in tier_alerts(db.session, admin_actor(csm)).items] == ["Mine"]
    assert [a.account_name for a in tier_alerts(db.session, admin_actor(other_csm)).items] == [
        "Theirs"
    ]
    assert tier_alerts(db.session, admin_actor(viewer)).total == 2


def test_newest_first_and_paged(db_session, admin, moved):
    value = db.session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    db.session.add(
        TierChange(
            account_id=moved["mine"].id, scheme_id=value.id, dimension="value",
            from_tier="Strategic", to_tier="Growth", at=FEB + timedelta(days=7), reason="override",
        )
    )  # fmt: skip
    db.session.commit()
    first = tier_alerts(db.session, admin_actor(admin), limit=1)
    assert (first.total, first.items[0].reason, first.items[0].at) == (
        3, "override", FEB + timedelta(days=7),
    )  # fmt: skip
    rest = tier_alerts(db.session, admin_actor(admin), limit=5, offset=1)
    assert len(rest.items) == 2 and all(a.at == FEB for a in rest.items)
    assert tier_alerts(db.session, admin_actor(admin), offset=10**12).items == []


def test_since_is_inclusive_and_scheme_narrows(db_session, admin, moved):
    actor = admin_actor(admin)
    assert tier_alerts(db.session, actor, since=FEB).total == 2
    assert tier_alerts(db.session, actor, since=FEB + timedelta(seconds=1)).total == 0
    assert tier_alerts(db.session, actor, since=FEB.replace(tzinfo=None)).total == 2
    needs = db.session.scalar(select(TierScheme.id).where(TierScheme.key == "needs_tiers"))
    value = db.session.scalar(select(TierScheme.id).where(TierScheme.key == "value_tiers"))
    assert tier_alerts(db.session, actor, scheme_id=needs).total == 0
    assert tier_alerts(db.session, actor, scheme_id=value).total == 2
    assert tier_alerts(db.session, actor, scheme_id=999_999).total == 0


def test_no_schemes_no_alerts(db_session, admin):
    ensure_default_schemes(db.session)
    assert tier_alerts(db.session, admin_actor(admin)).items == []


def test_a_count_cap_stops_counting_and_says_there_are_more(db_session, admin, moved):
    value = db.session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    db.session.add_all(
        TierChange(
            account_id=moved["mine"].id, scheme_id=value.id, dimension="value",
            from_tier="Strategic", to_tier="Growth", at=FEB + timedelta(days=day), reason="rule",
        )
        for day in range(1, 6)
    )  # fmt: skip
    db.session.commit()
    actor = admin_actor(admin)
    capped = tier_alerts(db.session, actor, limit=2, count_cap=3)
    assert (capped.total, capped.more, len(capped.items)) == (3, True, 2)
    assert capped.items[0].at == FEB + timedelta(days=5)  # still newest first
    # Asking past the cap counts as far as the page asked for.
    deep = tier_alerts(db.session, actor, limit=2, offset=4, count_cap=3)
    assert (deep.total, deep.more, len(deep.items)) == (6, True, 2)
    last = tier_alerts(db.session, actor, limit=2, offset=6, count_cap=3)
    assert (last.total, last.more, len(last.items)) == (7, False, 1)
    assert (
        tier_alerts(db.session, actor, count_cap=10).total,
        tier_alerts(db.session, actor).more,
    ) == (7, False)
