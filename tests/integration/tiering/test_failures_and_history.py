"""A failed run changes nothing; history answers as-of questions; segment views respect scope."""

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.models import TieringRun
from cstier.services.tiering import history, segments
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import active_schemes
from tests.integration.tiering.conftest import FEB, JAN, MAR, last_run, set_arr, snapshot


def test_failed_run_leaves_tiers_and_history_as_they_were(db_session, book, failing_writes):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    set_arr(book["small"], 10_000_000)
    before = snapshot()
    # Coverage is written last, after the run's changed tiers and history rows.
    failing_writes("account_coverage")
    with pytest.raises(Exception, match="disk full"):
        run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert snapshot() == before
    failed = last_run()
    assert failed.status == "failed" and "disk full" in failed.error


def test_tiers_and_composition_as_of_a_past_date(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    set_arr(book["mid"], 400_000)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    value = next(s for s in active_schemes(db_session) if s.key == "value_tiers")
    assert history.tiers_as_of(db_session, book["mid"].id, FEB)["Value tiers"] == "Growth"
    assert history.tiers_as_of(db_session, book["mid"].id, MAR)["Value tiers"] == "Strategic"
    assert history.tiers_as_of(db_session, book["mid"].id, JAN.replace(day=1, hour=0)) == {}
    then = history.composition_as_of(db_session, value.id, FEB).set_index("tier")["accounts"]
    now = history.composition_as_of(db_session, value.id, MAR).set_index("tier")["accounts"]
    assert then.to_dict() == {"Growth": 1, "Scale": 1, "Strategic": 1}
    assert now.to_dict() == {"Scale": 1, "Strategic": 2}


def test_tier_summary_shows_a_csm_only_their_book(db_session, book, csm, manager):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    mine = segments.tier_summary(db_session, Actor(csm.id, "csm"))
    everyone = segments.tier_summary(db_session, Actor(manager.id, "cs_manager"))
    value = lambda summary: next(i for i in summary if i["scheme"].key == "value_tiers")  # noqa: E731
    assert [(t["tier"], t["accounts"]) for t in value(mine)["tiers"]] == [("Growth", 1)]
    assert sum(t["accounts"] for t in value(everyone)["tiers"]) == 3
    assert value(everyone)["tiers"][0] == {
        "tier": "Strategic",
        "accounts": 1,
        "arr_cents": 300_000_00,
    }


def test_cli_run_without_schemes_says_how_to_create_them(runner, db_session):
    result = runner.invoke(args=["tiers", "run"])

    assert result.exit_code == 1
    assert "no tier schemes to run yet" in result.output and "cstier tiers seed" in result.output
    assert db_session.query(TieringRun).count() == 0


def test_cli_dry_run_then_run(runner, db_session, book):
    dry = runner.invoke(args=["tiers", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run #" in dry.output and "3 accounts evaluated" in dry.output
    assert "value_tiers: 3 would change" in dry.output
    real = runner.invoke(args=["tiers", "run"])
    assert real.exit_code == 0, real.output
    assert "value_tiers: 3 changed" in real.output
    assert db_session.query(TieringRun).count() == 2
