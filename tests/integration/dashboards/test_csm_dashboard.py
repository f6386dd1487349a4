"""A CSM's dashboard: my book by tier, my moves this week, my handoffs, my renewals."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from cstier.domain.permissions import Actor
from cstier.models import TierChange, TierScheme
from cstier.services.coverage import worklist
from cstier.services.dashboards.csm import csm_dashboard
from cstier.services.errors import Forbidden
from tests.integration.dashboards.conftest import NOW, run_and_record
from tests.integration.tiering.conftest import set_arr


@pytest.fixture
def handed_over(monday, manager, db_session):
    """Accept every suggestion, then move Jumping down on Tuesday of this week."""
    worklist.accept_suggestions(
        db_session, Actor(manager.id, "cs_manager"), [], "Monday review", accept_all=True
    )
    set_arr(monday.jumping, 200_000)
    run_and_record(db_session, NOW - timedelta(days=1))
    return monday


def test_my_book_moves_handoffs_and_renewals(handed_over, db_session):
    hana = handed_over.high_touch
    board = csm_dashboard(db_session, Actor(hana.id, "csm"), now=NOW)

    assert board.week == "2026-W11"
    assert (board.accounts, board.arr_cents) == (2, 600_000_00)
    assert board.book == [
        {"tier": "Strategic", "accounts": 1, "arr_cents": 400_000_00},
        {"tier": "Growth", "accounts": 1, "arr_cents": 200_000_00},
    ]
    value = next(m for m in board.moves if m.dimension == "value")
    assert (value.up, value.down, value.arr_down_cents) == (0, 1, 200_000_00)
    received = {board.handoff_accounts[h.account_id] for h in board.handoffs_received}
    given = {board.handoff_accounts[h.account_id] for h in board.handoffs_given}
    assert (received, given) == ({"Rising", "Jumping"}, {"Falling"})
    assert [r["name"] for r in board.renewals] == ["Rising"] and board.renewals_total == 1


def test_another_csms_moves_are_not_mine(handed_over, db_session):
    pia = handed_over.pooled
    board = csm_dashboard(db_session, Actor(pia.id, "csm"), now=NOW)

    value = next(m for m in board.moves if m.dimension == "value")
    assert (value.up, value.down) == (0, 0)
    assert [h.account_id for h in board.handoffs_received] == [handed_over.falling.id]
    assert len(board.handoffs_given) == 2


def test_a_move_made_outside_a_run_this_week_is_one_of_my_moves(handed_over, db_session):
    hana = handed_over.high_touch
    value = db_session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    db_session.add(
        TierChange(
            account_id=handed_over.jumping.id, scheme_id=value.id, dimension="value",
            from_tier="Growth", to_tier="Strategic", at=NOW - timedelta(hours=1),
            reason="override", run_id=None,
        )
    )  # fmt: skip
    db_session.commit()
    board = csm_dashboard(db_session, Actor(hana.id, "csm"), now=NOW)

    moves = next(m for m in board.moves if m.dimension == "value")
    assert (moves.up, moves.down, moves.arr_up_cents) == (1, 1, 200_000_00)


def test_managers_have_their_own_dashboard(monday, manager, db_session):
    with pytest.raises(Forbidden):
        csm_dashboard(db_session, Actor(manager.id, "cs_manager"), now=NOW)
