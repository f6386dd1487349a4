"""Every number of the manager's dashboard, on a hand-built book that moved last week."""

from datetime import timedelta

import pytest

from cstier.domain.permissions import Actor
from cstier.domain.reports.weeks import week_bounds
from cstier.extensions import db
from cstier.services import reports, trends
from cstier.services.coverage import worklist
from cstier.services.dashboards.figures import tier_moves
from cstier.services.dashboards.manager import manager_dashboard, ranked_schemes
from cstier.services.errors import Forbidden
from tests.integration.dashboards.conftest import NOW


def board_for(user, role="cs_manager"):
    return manager_dashboard(db.session, Actor(user.id, role), now=NOW)


def test_last_weeks_moves_per_tier_with_the_arr_moved(monday, manager):
    board = board_for(manager)

    assert board.week == "2026-W10"
    value = next(m for m in board.moves if m.dimension == "value")
    rows = {r["tier"]: r for r in value.tiers}
    assert [r["tier"] for r in value.tiers] == ["Strategic", "Growth", "Scale"]
    assert (rows["Strategic"]["up"], rows["Strategic"]["arr_up_cents"]) == (2, 680_000_00)
    assert (rows["Growth"]["up"], rows["Growth"]["arr_up_cents"]) == (1, 90_000_00)
    assert (rows["Growth"]["down"], rows["Growth"]["arr_down_cents"]) == (1, 100_000_00)
    assert (value.up, value.down) == (3, 1)
    assert (value.arr_up_cents, value.arr_down_cents) == (770_000_00, 100_000_00)
    needs = next(m for m in board.moves if m.dimension == "needs")
    assert (needs.up, needs.down) == (0, 0)


def test_first_tierings_are_not_moves(monday, manager, db_session):
    value = ranked_schemes(db_session, reports.scheme_tiers(db_session))["value"]
    starts, ends = week_bounds(NOW.date() - timedelta(days=16))  # W09: the first run
    moves = tier_moves(value, trends.moves_between(db_session, value.scheme_id, starts, ends))
    assert (moves.up, moves.down) == (0, 0)


def test_queues_loads_overrides_and_renewals(monday, manager):
    board = board_for(manager)

    assert (board.needs_new_owner.value, board.needs_new_owner.capped) == (3, False)
    assert str(board.open_handoffs) == "0"
    assert [(c["name"], c["accounts"]) for c in board.overloaded] == [("Bo Busy", 1)]
    assert board.overloaded_total == 1 and board.overloaded[0]["load"] > 100
    assert board.expiring_overrides == 1
    assert board.renewals == [
        {"tier": "Strategic", "accounts": 2, "arr_cents": 900_000_00},
        {"tier": "Growth", "accounts": 1, "arr_cents": 90_000_00},
    ]


def test_open_handoffs_count_after_accepting(monday, manager, db_session):
    page = worklist.reassignment_worklist(db_session, Actor(manager.id, "cs_manager"))
    chosen = [worklist.parse_picks([r["pick"]])[0] for r in page.rows if r["suggested_id"]][:2]
    outcome = worklist.accept_suggestions(db_session, Actor(manager.id, "cs_manager"), chosen, "")
    assert outcome.handoffs == 2

    board = board_for(manager)
    assert str(board.open_handoffs) == "2" and board.needs_new_owner.value == 1


def test_the_trend_has_a_point_per_week_since_the_first_run(monday, manager):
    trend = board_for(manager).trend

    assert trend["weeks"] == ["2026-W09", "2026-W10", "2026-W11"]
    series = {s["tier"]: s for s in trend["tiers"]}
    assert series["Strategic"]["accounts"] == [2, 3, 3]
    assert series["Growth"]["accounts"] == [1, 2, 2]
    assert series["Scale"]["accounts"] == [2, 0, 0]  # a tier nobody holds is drawn at zero
    assert series["Strategic"]["arr"] == [800_000, 1_180_000, 1_180_000]


def test_a_csm_cannot_open_the_managers_dashboard(monday):
    with pytest.raises(Forbidden):
        board_for(monday.pooled, role="csm")


def test_viewers_see_it(monday, viewer):
    assert board_for(viewer, role="viewer").needs_new_owner.value == 3
