"""`cstier demo` loads a demo book; `cstier up` migrates, loads it if needed and serves."""

import contextlib
import io
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.jobs.scheduler import BackgroundScheduler, SchedulerProcess
from cstier.services import users
from cstier.services.batch_sizes import batch_sizes
from cstier.services.demo import DatabaseNotEmpty, DemoLogin, DemoResult, load_demo
from cstier.services.demo_health import seed_demo_health
from cstier.services.demo_story import tell_demo_story
from cstier.services.metrics import refresh_metrics
from cstier.services.setup import set_up_workspace
from cstier.services.tiering.retier import retier_book
from cstier.web.shared_state import require_shared_state

DEFAULT_ACCOUNTS = 2_000
DEFAULT_SEED = 42

accounts_option = click.option(
    "--accounts",
    type=click.IntRange(1, 5_000_000),
    default=DEFAULT_ACCOUNTS,
    show_default=True,
    help="How many accounts to generate.",
)
seed_option = click.option(
    "--seed",
    type=click.IntRange(0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed: the same seed gives the same book and the same logins.",
)


def format_logins(logins: list[DemoLogin]) -> str:
    """Render the logins as an aligned email / password / role table."""
    rows = [("email", "password", "role"), *((x.email, x.password, x.role) for x in logins)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _load(accounts: int, seed: int) -> DemoResult:
    """Load the demo book, or exit 1 with the reason the database was refused."""
    try:
        result = load_demo(db.session, accounts=accounts, seed=seed)
    except DatabaseNotEmpty as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from exc
    return result


def _migrate() -> None:
    """Bring the schema up to date quietly; show Alembic's log only if the upgrade fails."""
    from flask_migrate import upgrade

    # Alembic's env.py logs each revision to the stderr it finds when it configures logging,
    # and data migrations report their counts on stdout.
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
            upgrade()
    except BaseException:
        click.echo(log.getvalue(), err=True, nl=False)
        raise


def _set_up() -> None:
    """Give the workspace its default schemes and coverage models if it has none."""
    seeded = set_up_workspace(db.session)
    if seeded.schemes or seeded.coverage_models:
        click.echo(
            f"Created {seeded.schemes} default tier schemes and "
            f"{seeded.coverage_models} default coverage models."
        )


def _tier() -> None:
    """Re-tier the book with the workspace's schemes, as `cstier up` does on each start."""
    summary = retier_book(
        db.session, SYSTEM_ACTOR, trigger="demo", sizes=batch_sizes(current_app.config)
    )
    click.echo(f"Tiered {summary.accounts_evaluated:,} accounts with the default schemes.")


def _live_through_weeks(seed: int, since: datetime | None) -> None:
    """Tier the fresh demo book before its history, then live twelve weeks of runs and moves."""
    story = tell_demo_story(
        db.session, seed, first_run_at=since, sizes=batch_sizes(current_app.config)
    )
    click.echo(
        f"Lived {story.runs} runs ({story.moves:,} tier moves), "
        f"{story.overrides} overrides and {story.handoffs} handoffs into the demo book."
    )


def _metrics() -> None:
    """Compute the stored churn and retention figures, as the nightly refresh does."""
    summary = refresh_metrics(db.session)
    click.echo(
        f"Computed churn and retention for {len(summary.rows)} splits; "
        f"{summary.churned_accounts:,} accounts churned."
    )


def _health() -> None:
    """Start the demo's onboardings and score its health over past months and weeks."""
    seeded = seed_demo_health(db.session)
    click.echo(
        f"Started {seeded.onboardings:,} onboardings; scored health on {seeded.days_scored} days."
    )


def _report(result: DemoResult) -> None:
    """Print what was loaded and the logins (shown once; they are not stored in plain text)."""
    loaded = ", ".join(f"{n:,} {table}" for table, n in result.counts.items())
    click.echo(f"Loaded demo data: {loaded}.")
    click.echo("\nDemo logins (shown only now; keep them somewhere safe):\n")
    click.echo(format_logins(result.logins))


@click.command("demo")
@accounts_option
@seed_option
@with_appcontext
def demo_command(accounts: int, seed: int) -> None:
    """Fill an empty database with a realistic demo book of accounts and users."""
    result = _load(accounts, seed)
    _report(result)
    _set_up()
    _live_through_weeks(seed, result.history_start)
    _metrics()
    _health()


@click.command("up")
@accounts_option
@seed_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare the database but do not start the server.")
@click.option(
    "--no-scheduler", is_flag=True, help="Serve without running scheduled and background jobs."
)
@with_appcontext
def up_command(
    accounts: int, seed: int, host: str, port: int, no_serve: bool, no_scheduler: bool
) -> None:
    """Quickstart: migrate the database, load demo data if it has no users, then serve."""
    _migrate()
    if users.has_users(db.session):
        click.echo("The database already has users; demo data not loaded.")
        _set_up()
        _tier()
    else:
        result = _load(accounts, seed)
        _report(result)
        _set_up()
        _live_through_weeks(seed, result.history_start)
        _metrics()
        _health()
    click.echo(f"\ncstier is at http://{host}:{port}")
    if no_serve:
        return
    app = current_app._get_current_object()
    require_shared_state(app)
    if no_scheduler:
        click.echo("No scheduler: queued jobs wait for `cstier jobs work --once`.")
    else:
        # Development only: in production the scheduler is its own process (`cstier scheduler`).
        SchedulerProcess(app, BackgroundScheduler).start()
        click.echo(
            "The scheduler runs inside this development server (scheduled and background jobs)."
        )
    # app.run() refuses to start inside the flask CLI; run the same dev server directly.
    run_simple(host, port, app, threaded=True)
