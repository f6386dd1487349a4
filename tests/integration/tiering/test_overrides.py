"""Overrides pin a tier until they expire or are revoked; then the rules take over again."""

from datetime import timedelta

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering import overrides
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import active_schemes
from tests.integration.tiering.conftest import FEB, JAN, MAR, changes_of, tier_of


@pytest.fixture
def value_scheme(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    return next(s for s in active_schemes(db_session) if s.key == "value_tiers")


def pin(db_session, actor, account, scheme, expires_at):
    return overrides.create_override(
        db_session,
        actor,
        account_id=account.id,
        scheme_id=scheme.id,
        tier="Strategic",
        reason="Board-level sponsor",
        expires_at=expires_at,
        now=JAN,
    )


def test_override_pins_until_expiry_then_rules_return(
    db_session, book, value_scheme, manager_actor
):
    small = book["small"]
    pin(db_session, manager_actor, small, value_scheme, expires_at=FEB)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN + timedelta(days=1))
    pinned = tier_of(small.id, now=JAN + timedelta(days=2))
    assert (pinned.tier, pinned.source) == ("Strategic", "override")
    assert "Override: Board-level sponsor" in pinned.explanation
    assert "set by" in pinned.explanation  # who pinned it
    # Once the override has expired the page says so before the next run moves the account.
    expired = tier_of(small.id, now=MAR)
    assert expired.tier == "Strategic"
    assert "the next run moves it" in expired.explanation and "Scale" in expired.explanation
    assert changes_of(small.id)[-1].reason == "override"
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    after = tier_of(small.id)
    assert (after.tier, after.source) == ("Scale", "rule")
    last = changes_of(small.id)[-1]
    assert (last.from_tier, last.to_tier, last.reason) == ("Strategic", "Scale", "rule")


def test_revoked_override_no_longer_applies(db_session, book, value_scheme, manager_actor):
    override = pin(db_session, manager_actor, book["small"], value_scheme, expires_at=None)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert tier_of(book["small"].id).tier == "Strategic"
    overrides.revoke_override(db_session, manager_actor, override.id, override.version)
    assert overrides.live_overrides(db_session, book["small"].id) == []
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert tier_of(book["small"].id).tier == "Scale"


def test_override_needs_a_known_tier_and_a_reason(db_session, book, value_scheme, manager_actor):
    with pytest.raises(ValidationFailed) as error:
        overrides.create_override(
            db_session, manager_actor, account_id=book["small"].id, scheme_id=value_scheme.id,
            tier="Platinum", reason=" ", expires_at=None, now=JAN,
        )  # fmt: skip
    assert set(error.value.errors) == {"tier", "reason"}


def test_csm_cannot_override(db_session, book, value_scheme, csm):

    with pytest.raises(Forbidden):
        pin(db_session, Actor(csm.id, "csm"), book["mid"], value_scheme, expires_at=None)


def test_a_csm_lists_only_the_overrides_in_their_book(
    db_session, book, value_scheme, manager_actor, csm, viewer
):

    mine = pin(db_session, manager_actor, book["mid"], value_scheme, expires_at=None)
    theirs = pin(db_session, manager_actor, book["big"], value_scheme, expires_at=None)

    assert overrides.overrides_in_book(db_session, Actor(csm.id, "csm"), now=JAN) == [mine]
    seen = overrides.overrides_in_book(db_session, Actor(viewer.id, "viewer"), now=JAN)
    assert {o.id for o in seen} == {mine.id, theirs.id}


def test_the_expiring_list_holds_only_overrides_ending_within_the_days_soonest_first(
    db_session, book, value_scheme, manager_actor, csm
):
    later = pin(db_session, manager_actor, book["mid"], value_scheme, JAN + timedelta(days=6))
    soon = pin(db_session, manager_actor, book["big"], value_scheme, JAN + timedelta(days=2))
    pin(db_session, manager_actor, book["small"], value_scheme, JAN + timedelta(days=8))
    pin(db_session, manager_actor, book["small"], value_scheme, expires_at=None)

    page = overrides.overrides_page(db_session, manager_actor, 0, 50, expiring_days=7, now=JAN)
    assert [o.id for o in page.rows] == [soon.id, later.id]
    assert (page.total, page.more) == (2, False)
    everything = overrides.overrides_page(db_session, manager_actor, 0, 50, now=JAN)
    assert everything.total == 4
    mine = overrides.overrides_page(db_session, Actor(csm.id, "csm"), 0, 50, 7, now=JAN)
    assert [o.id for o in mine.rows] == [later.id]  # csm owns only "mid"


def test_overrides_page_and_count_for_the_pager(db_session, book, value_scheme, manager_actor):
    for _ in range(3):
        pin(db_session, manager_actor, book["mid"], value_scheme, expires_at=None)

    first = overrides.overrides_page(db_session, manager_actor, 0, 2, now=JAN)
    assert (len(first.rows), first.total, first.more) == (2, 3, False)
    last = overrides.overrides_page(db_session, manager_actor, 2, 2, now=JAN)
    assert [o.id for o in first.rows + last.rows] == sorted(
        (o.id for o in first.rows + last.rows), reverse=True
    )  # newest first
    past = overrides.overrides_page(db_session, manager_actor, 50, 2, now=JAN)
    assert past.rows == []
