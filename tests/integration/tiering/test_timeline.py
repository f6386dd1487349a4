"""An account's timeline, found by run (migration 0018): every row of its own, none of others'."""

from datetime import timedelta

from sqlalchemy import func, select

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.models import TierChange, TieringRun, TierScheme
from cstier.services.tiering.history import tiers_as_of, timeline
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory
from tests.integration.tiering.conftest import FEB, JAN, MAR, changes_of, count, set_arr

DAY = timedelta(days=1)


def _value_scheme(session) -> TierScheme:
    ensure_default_schemes(session)
    session.commit()
    return session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))


def _written_by_hand(session, account, to_tier: str, at) -> TierChange:
    """Write a value-tier change outside a run (no run_id), as a fix-up would."""
    change = TierChange(
        account_id=account.id,
        scheme_id=_value_scheme(session).id,
        dimension="value",
        from_tier=None,
        to_tier=to_tier,
        at=at,
        run_id=None,
        reason="override",
        explanation="set by hand",
    )
    session.add(change)
    session.commit()
    return change


def _ids(changes) -> list[int]:
    return [c.id for c in changes]


def _value_moves(session, account) -> list[tuple]:
    """Return the account's value-tier changes in its timeline: (to tier, run id), newest first."""
    value = _value_scheme(session).id
    return [(c.to_tier, c.run_id) for c in timeline(session, account.id) if c.scheme_id == value]


def test_a_change_without_a_run_is_in_the_timeline(db_session, book):
    mid = book["mid"]
    alone = _written_by_hand(db_session, mid, "Strategic", JAN)
    assert count(TieringRun) == 0  # found with no run to probe at all
    assert _ids(timeline(db_session, mid.id)) == [alone.id]

    run = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB).run_id
    _written_by_hand(db_session, mid, "Scale", MAR)
    assert _value_moves(db_session, mid) == [("Scale", None), ("Growth", run), ("Strategic", None)]
    assert tiers_as_of(db_session, mid.id, JAN + DAY) == {"Value tiers": "Strategic"}
    assert tiers_as_of(db_session, mid.id, MAR)["Value tiers"] == "Scale"


def test_another_accounts_changes_never_appear(db_session, book):
    mid, big = book["mid"], book["big"]
    _written_by_hand(db_session, big, "Scale", JAN)  # outside a run, like the one below
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    set_arr(big, 10_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    newcomer = AccountFactory(name="New", arr_cents=60_000_00)  # tiered by no run yet

    mine = timeline(db_session, mid.id)
    assert mine and {c.account_id for c in mine} == {mid.id}
    assert _ids(mine) == _ids(reversed(changes_of(mid.id)))
    theirs = timeline(db_session, big.id)
    assert {c.account_id for c in theirs} == {big.id}
    assert len(theirs) == len(changes_of(big.id)) == len(mine) + 2  # its hand row, its MAR move
    assert timeline(db_session, newcomer.id) == []
    assert tiers_as_of(db_session, newcomer.id, MAR) == {}


def test_every_runs_changes_appear_newest_first(db_session, book):
    mid = book["mid"]
    runs = [run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN).run_id]
    set_arr(mid, 400_000)
    runs.append(run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB).run_id)
    set_arr(mid, 10_000)
    runs.append(run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR).run_id)

    assert _value_moves(db_session, mid) == [
        ("Scale", runs[2]),
        ("Strategic", runs[1]),
        ("Growth", runs[0]),
    ]
    changes = timeline(db_session, mid.id)
    assert _ids(changes) == _ids(reversed(changes_of(mid.id)))  # every row, other schemes too
    assert [c.at for c in changes] == sorted((c.at for c in changes), reverse=True)
    assert {c.run_id for c in changes} == set(runs)


def test_tiers_as_of_between_runs_and_before_the_first(db_session, book):
    mid = book["mid"]
    first = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN).run_id
    set_arr(mid, 400_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR)

    assert tiers_as_of(db_session, mid.id, JAN - DAY) == {}
    at_first = tiers_as_of(db_session, mid.id, JAN)  # the run's own time counts
    assert at_first["Value tiers"] == "Growth" and len(at_first) > 1  # the other schemes too
    assert tiers_as_of(db_session, mid.id, FEB) == at_first
    assert tiers_as_of(db_session, mid.id, MAR) == at_first | {"Value tiers": "Strategic"}
    then = timeline(db_session, mid.id, FEB)
    assert len(then) == len(at_first) and {c.run_id for c in then} == {first}
    assert _ids(timeline(db_session, mid.id))[-len(then) :] == _ids(then)
    assert timeline(db_session, mid.id, JAN - DAY) == []


def test_a_dry_run_adds_nothing(db_session, book):
    mid = book["mid"]
    dry_first = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", dry_run=True, now=JAN)
    assert dry_first.changes["value_tiers"] == 3  # it found moves, and wrote none
    assert count(TierChange) == 0 and timeline(db_session, mid.id) == []

    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    before = _ids(timeline(db_session, mid.id))
    as_of_before = tiers_as_of(db_session, mid.id, MAR + DAY)
    rows = count(TierChange)
    set_arr(mid, 400_000)
    dry = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", dry_run=True, now=MAR)
    assert dry.changes["value_tiers"] == 1
    assert count(TierChange) == rows
    assert db_session.scalar(select(func.count()).where(TierChange.run_id == dry.run_id)) == 0
    assert _ids(timeline(db_session, mid.id)) == before
    assert tiers_as_of(db_session, mid.id, MAR + DAY) == as_of_before
    assert as_of_before["Value tiers"] == "Growth"


def test_a_move_says_which_data_changed_from_what_to_what(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    value = _value_scheme(db_session).id
    newest, first = [c for c in timeline(db_session, book["mid"].id) if c.scheme_id == value]
    assert (first.from_tier, newest.to_tier) == (None, "Strategic")
    assert first.cause == ""  # a first tiering moved from nothing
    assert newest.cause == "data changed: ARR 100,000 → 400,000"


def test_a_move_says_when_the_scheme_changed_version(db_session, book, admin_actor):
    from cstier.domain.tiering.defaults import VALUE_TIERS
    from cstier.services.tiering.schemes import save_version

    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    lower = {**VALUE_TIERS, "bands": [
        {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
        {"tier": "Scale", "max": 40_000},
    ]}  # fmt: skip
    save_version(db_session, admin_actor, _value_scheme(db_session).id, lower, 1)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    value = _value_scheme(db_session).id
    newest = [c for c in timeline(db_session, book["mid"].id) if c.scheme_id == value][0]
    assert newest.to_tier == "Strategic"
    assert newest.cause == "scheme changed (version 1 → 2)"


def test_an_account_held_by_hysteresis_says_so_under_the_edited_scheme(
    db_session, book, admin_actor
):
    from cstier.domain.tiering.defaults import VALUE_TIERS
    from cstier.services.tiering.schemes import save_version
    from tests.integration.tiering.conftest import tier_of

    set_arr(book["mid"], 58_100)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    assert tier_of(book["mid"].id).explanation.startswith("ARR 58,100")
    higher = {**VALUE_TIERS, "bands": [
        {"tier": "Strategic", "min": 250_000}, {"tier": "Growth", "min": 60_000, "max": 250_000},
        {"tier": "Scale", "max": 60_000},
    ]}  # fmt: skip
    save_version(db_session, admin_actor, _value_scheme(db_session).id, higher, 1)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    held = tier_of(book["mid"].id)
    assert held.tier == "Growth"  # 58,100 is within 5 % of the new 60,000 edge
    assert "Kept Growth" in held.explanation and "5% of the boundary 60,000" in held.explanation
    assert "50,000" not in held.explanation  # never the old band


def test_tiers_and_timeline_read_together_match_each_read_alone(db_session, book):
    from cstier.services.tiering.history import current_for_account, tiers_and_timeline

    mid = book["mid"]
    assert tiers_and_timeline(db_session, mid.id, now=FEB) == ([], [])
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(mid, 58_100)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    tiers, changes = tiers_and_timeline(db_session, mid.id, now=FEB)
    assert _ids(changes) == _ids(timeline(db_session, mid.id))
    alone = current_for_account(db_session, mid.id, now=FEB)
    assert [(t.scheme_id, t.tier, t.explanation, t.run_id) for t in tiers] == [
        (t.scheme_id, t.tier, t.explanation, t.run_id) for t in alone
    ]
    assert tiers and all(t.change is not None for t in tiers)
