"""`cstier jobs work --once` runs the queue; `cstier tiers run` shows its progress."""

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.services.jobs import background
from tests.integration.tiering.conftest import tier_count


def test_jobs_work_once_runs_what_is_queued(runner, book, manager):
    background.enqueue(db.session, Actor(manager.id, manager.role), "retier", {})

    first = runner.invoke(args=["jobs", "work", "--once"])
    second = runner.invoke(args=["jobs", "work", "--once"])

    assert first.exit_code == 0 and "Ran 1 background job." in first.output
    assert "Ran 0 background jobs." in second.output
    assert tier_count() > 0


def test_tiers_run_shows_a_progress_bar(runner, book):
    result = runner.invoke(args=["tiers", "run"])

    assert result.exit_code == 0, result.output
    assert "Re-tiering" in result.output and "3 accounts evaluated" in result.output


def test_a_run_reports_its_progress_step_by_step(db_session, book):
    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.services.tiering.run import run_tiering

    steps: list[tuple[int, int]] = []

    run_tiering(
        db_session, SYSTEM_ACTOR, trigger="cli", progress=lambda d, t, m=None: steps.append((d, t))
    )

    total = steps[0][1]
    assert [done for done, _ in steps] == list(range(total + 1))  # book, each scheme, coverage
    assert {t for _, t in steps} == {total} and total == 5 + 2
