"""Segment composition as of a date: a CSM counts their own book, everyone else the whole book."""

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import Account
from cstier.services.tiering import history
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import active_schemes
from tests.integration.tiering.conftest import FEB, JAN, MAR, set_arr


@pytest.fixture
def value_id(db_session, book) -> int:
    """Tier the book in January; in March Mid (the CSM's account) moves up to Strategic."""
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    return next(s.id for s in active_schemes(db_session) if s.key == "value_tiers")


def composition(actor: Actor | None, scheme_id: int, as_of) -> dict[str, int]:
    frame = history.composition_as_of(db.session, scheme_id, as_of, actor)
    return frame.set_index("tier")["accounts"].to_dict()


def test_a_csm_counts_only_their_own_book(value_id, csm):
    mine = Actor(csm.id, "csm")
    assert composition(mine, value_id, FEB) == {"Growth": 1}
    assert composition(mine, value_id, MAR) == {"Strategic": 1}


def test_a_csm_without_accounts_sees_an_empty_composition(value_id, other_csm):
    assert composition(Actor(other_csm.id, "csm"), value_id, MAR) == {}


@pytest.mark.parametrize("role", ["admin", "cs_manager", "viewer"])
def test_everyone_else_counts_the_whole_book(value_id, admin, role):
    whole = {"Growth": 1, "Scale": 1, "Strategic": 1}
    assert composition(Actor(admin.id, role), value_id, FEB) == whole
    assert composition(None, value_id, FEB) == whole


def test_the_csm_book_is_the_one_they_own_today(value_id, book, csm):
    """An account handed over since counts in its new CSM's past, with its tier back then."""
    db.session.execute(db.update(Account).where(Account.id == book["big"].id).values(csm_id=csm.id))
    db.session.execute(db.update(Account).where(Account.id == book["mid"].id).values(csm_id=None))
    db.session.commit()

    assert composition(Actor(csm.id, "csm"), value_id, FEB) == {"Strategic": 1}
