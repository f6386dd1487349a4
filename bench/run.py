"""Time the whole product on one synthetic book: import, re-tier, metrics, health, report, ….

Usage:
  python bench/run.py --scale tiny|10k|100k|1m|3m [--database-url URL] [--results-dir DIR]
                      [--book demo|tiering]
                      [--stages import,build,retier,metrics,health,report,suggest,alerts,
                                preview,export]

The book is the demo book (`cstier demo`'s builders, seeded, so the same scale gives the same
book): companies, departments, contacts, accounts, validated needs, subscriptions, usage,
touches, onboarding milestones, CSMs serving coverage models and pools, and twelve weekly runs
with moves, a scheme edit, overrides and accepted suggestions. Each stage runs in its own
process so its peak memory is its own; the stages other bench scripts already measure are run
through those scripts, with the figure each compares against taken in the same run:

  import   accounts CSV through the import service into an empty schema (bench_import's files)
  build    the demo book and its twelve weeks (bench only; the schema is dropped first)
  retier   a ~5 % change, then a full re-tier; against the per-row ORM loop on a sample and
           the floor (read the columns, bulk-write the changes) of bench_tiering_run
  metrics  churn, GRR, NRR per value tier, 24 months; against reading the subscriptions'
           four columns (bench_metrics)
  health   a day of health scores for every account (rolled back)
  report   the weekly report of the re-tier's week (bench_weekly_report)
  suggest  capacity-aware owner suggestions for the accounts that need one
  alerts   one alert cycle: dispatch every undispatched run event and deliver to local SMTP
  preview  a what-if preview of a draft value scheme, run as its background job (bench_preview)
  export   the whole account list and the whole tier history streamed to CSV, as a download

`--book tiering` builds bench_weekly_report's book instead of the demo's (accounts, companies,
owners, a first run and a re-tier, usage for a tenth, subscriptions for a tenth): thinner, but
built by COPY in minutes where the demo book's twelve runs take an hour at 1M, so it is the
book the 1M and 3M growth figures are measured on. Its results file ends in `-tiering`.

The default database is a SQLite file in the temp folder; a PostgreSQL URL's schema is dropped
and rebuilt. Figures print as a table and go to `bench/results/<date>-<engine>-<scale>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_tiering_run as book  # noqa: E402 - the bench folder is not a package

SCALES = {"tiny": 200, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000}
STAGES = (
    "import", "build", "retier", "metrics", "health", "report", "suggest", "alerts", "preview",
    "export",
)  # fmt: skip
BOOKS = ("demo", "tiering")
# bench_weekly_report's phases that build and tier its book, all but the timed report.
TIERING_BOOK = "build,first,owners,backdate,change,run,signals"
SEED = 42
# The per-row ORM loop is extrapolated from a sample: a whole book would take hours.
ORM_SAMPLE = 2_000
# Goals the issues set, shown beside each stage's figure.
GOALS = {
    "import": "≥ 100,000 rows/s",
    "retier": "≤ 6 s at 1M, ORM loop ≥ 5× the run, run ≤ 3× the floor",
    "metrics": "≤ 10 s at 1M, ≤ 3× the read",
    "health": "≤ 10 s at 1M (domain)",
    "suggest": "≤ 10 s for 100k open accounts",
    "alerts": "webhooks ≥ 200/s, emails ≥ 50/s",
}


def result(**values) -> None:
    """Hand a stage's figures to the parent process on one line, with this process's peak."""
    book.report(peak_mb=round(book.peak_mb(), 1), **values)


def stage_import(url: str, accounts: int) -> None:
    """Import an accounts CSV (and its companies) into an empty schema; rows/s of the accounts."""
    import bench_import

    from cstier.extensions import db
    from cstier.services.imports import ImportRequest, import_file
    from cstier.services.imports.reader import ReadLimits

    folder = Path(tempfile.mkdtemp(prefix="cstier-run-"))
    companies = max(1, accounts // 20)
    companies_csv, accounts_csv = folder / "companies.csv", folder / "accounts.csv"
    bench_import.write_companies(companies_csv, companies)
    bench_import.write_accounts(accounts_csv, accounts, companies, seed=SEED)
    book.reset_schema(url)
    # Past the default limit (2M rows a file) the bench raises it, as an operator would.
    limits = ReadLimits(rows=max(ReadLimits().rows, accounts))
    try:
        with book.make_app(url).app_context():
            import_file(db.session, ImportRequest("companies", companies_csv, companies_csv.name))
            started = time.perf_counter()
            request = ImportRequest(
                "accounts", accounts_csv, "accounts.csv", retier=False, limits=limits
            )
            outcome = import_file(db.session, request)
            seconds = time.perf_counter() - started
            if not outcome.ok:
                raise SystemExit(f"import refused: {outcome.errors.as_json()[:3]}")
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the 3M files are 270 MB
    result(seconds=seconds, rows=outcome.rows)


def stage_build(url: str, accounts: int) -> None:
    """Build the demo book and live it through twelve weekly runs, as `cstier demo` does."""
    from cstier.extensions import db
    from cstier.models.base import utcnow
    from cstier.services.demo import load_demo
    from cstier.services.demo_story import tell_demo_story
    from cstier.services.onboarding.check import refresh_statuses, start_onboardings
    from cstier.services.setup import set_up_workspace
    from cstier.services.unit_of_work import unit_of_work

    book.reset_schema(url)
    with book.make_app(url).app_context():
        started = time.perf_counter()
        loaded = load_demo(db.session, accounts=accounts, seed=SEED)
        load_seconds, load_peak_mb = time.perf_counter() - started, book.peak_mb()
        print(f"demo book loaded: {load_seconds:.1f} s, peak RSS {load_peak_mb:.0f} MB", flush=True)
        set_up_workspace(db.session)
        story = tell_demo_story(db.session, SEED, first_run_at=loaded.history_start)
        with unit_of_work(db.session):
            start_onboardings(db.session)
            refresh_statuses(db.session, utcnow())
        seconds = time.perf_counter() - started
        db.engine.dispose()
    result(
        seconds=seconds,
        rows=sum(loaded.counts.values()),
        runs=story.runs,
        moves=story.moves,
        load_seconds=round(load_seconds, 2),
        load_peak_mb=round(load_peak_mb, 1),
    )


def stage_health(url: str, accounts: int) -> None:
    """Score every account's health for today, then roll the day back."""
    from cstier.extensions import db
    from cstier.models.base import utcnow
    from cstier.services.account_health.scoring import score_day

    with book.make_app(url).app_context():
        db.session.execute(db.text("SELECT 1"))
        now = utcnow()
        started = time.perf_counter()
        summary = score_day(db.session, now.date(), now)
        seconds = time.perf_counter() - started
        db.session.rollback()
    result(seconds=seconds, rows=summary.accounts)


def stage_suggest(url: str, accounts: int) -> None:
    """Suggest owners for every account that needs one (read-only)."""
    from cstier.extensions import db
    from cstier.services.coverage import suggestions

    with book.make_app(url).app_context():
        db.session.execute(db.text("SELECT 1"))
        started = time.perf_counter()
        proposals = suggestions.propose(db.session)
        seconds = time.perf_counter() - started
        db.session.rollback()
    placed = int(proposals["csm_id"].notna().sum()) if len(proposals) else 0
    result(seconds=seconds, rows=len(proposals), placed=placed)


def stage_alerts(url: str, accounts: int) -> None:
    """Run one alert cycle against a local SMTP sink: the runs' events fanned out and sent."""
    from aiosmtpd.controller import Controller

    from cstier import create_app
    from cstier.extensions import db
    from cstier.services.alerts_delivery.cycle import run_alert_cycle

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
            return "250 OK"

    port = book_free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app(
        test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                     "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
    )  # fmt: skip
    try:
        with app.app_context():
            db.session.execute(db.text("SELECT 1"))
            started = time.perf_counter()
            cycle = run_alert_cycle(db.session, "bench")
            seconds = time.perf_counter() - started
    finally:
        controller.stop()
    d = cycle.dispatched
    result(
        seconds=seconds,
        rows=d.notifications + d.deliveries,
        events=d.events,
        notifications=d.notifications,
        deliveries=d.deliveries,
        sent=cycle.delivered.sent,
    )


def stage_export(url: str, accounts: int) -> None:
    """Stream the whole account list and the whole tier history to CSV, as a download does."""
    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services import exports

    with book.make_app(url).app_context():
        db.session.execute(db.text("SELECT 1"))
        started = time.perf_counter()
        written = rows = 0
        for kind in ("accounts", "tier_history"):
            frames = exports.pages(db.session, SYSTEM_ACTOR, kind)
            for frame in frames:
                rows += len(frame)
                written += sum(len(chunk) for chunk in exports.render_pages([frame], "csv"))
        seconds = time.perf_counter() - started
        db.session.rollback()
    result(seconds=seconds, rows=rows, megabytes=round(written / 1e6, 1))


def book_free_port() -> int:
    """Return a local TCP port nobody listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


OWN = {
    "import": stage_import,
    "build": stage_build,
    "health": stage_health,
    "suggest": stage_suggest,
    "alerts": stage_alerts,
    "export": stage_export,
}


def child(command: list[str]) -> dict:
    """Run a bench process, echo its lines indented, and return its last RESULT line."""
    return children(command)[-1]


def children(command: list[str]) -> list[dict]:
    """Run a bench process, echo its lines indented, and return every RESULT line ({} if none)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    figures: list[dict] = []
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            figures.append(json.loads(line.removeprefix("RESULT ")))
        elif line.strip():
            print("    " + line, flush=True)
    if done.returncode:
        print(done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(command[1:3])} failed")
    return figures or [{}]


def own_stage(name: str, args: argparse.Namespace) -> dict:
    """Run one of this script's stages in a fresh process."""
    command = [sys.executable, __file__, "--stage", name, "--database-url", args.database_url]
    return child(command + ["--scale", args.scale])


def script(name: str, *options: str) -> list[str]:
    """Return the command line of another bench script."""
    return [sys.executable, str(HERE / name), *options]


def retier(args: argparse.Namespace, accounts: int) -> dict:
    """Change ~5 % of the book, then time the ORM loop, the floor and the full re-tier."""
    url, sample = args.database_url, str(min(ORM_SAMPLE, accounts))
    common = ["--database-url", url, "--accounts", str(accounts), "--sample", sample]
    child(script("bench_tiering_run.py", "--phase", "change", *common))
    orm = child(script("bench_tiering_run.py", "--phase", "orm", *common))
    floor = child(script("bench_tiering_run.py", "--phase", "floor", *common))
    run = child(script("bench_tiering_run.py", "--phase", "run", *common))
    return {
        "seconds": run["seconds"],
        "rows": accounts,
        "peak_mb": run["peak_mb"],
        "changes": run["changes"],
        "orm_loop_seconds": orm["seconds"],
        "floor_seconds": floor["seconds"],
        "orm_loop_ratio": orm["seconds"] / run["seconds"],
        "floor_ratio": run["seconds"] / floor["seconds"],
    }


def metrics(args: argparse.Namespace, accounts: int) -> dict:
    """Time the churn and retention figures per value tier against reading their columns."""
    common = ["--database-url", args.database_url, "--accounts", str(accounts), "--repeat", "1"]
    read = child(script("bench_metrics.py", "--phase", "read", *common))
    figures = child(script("bench_metrics.py", "--phase", "metrics", *common))
    return {
        "seconds": figures["best"],
        "rows": read["rows"],
        "peak_mb": figures["peak_mb"],
        "read_seconds": read["best"],
        "read_ratio": figures["best"] / read["best"],
    }


def tiering_book(args: argparse.Namespace, accounts: int) -> dict:
    """Build bench_weekly_report's book (drops the schema first) and time the whole build."""
    common = ["--database-url", args.database_url, "--accounts", str(accounts)]
    started = time.perf_counter()
    phases = children(script("bench_weekly_report.py", "--phases", TIERING_BOOK, *common))
    seconds = time.perf_counter() - started
    # The first run tiers every account at once: the largest of the build's processes.
    peaks = [phase.get("peak_mb", 0.0) for phase in phases]
    return {"seconds": seconds, "rows": accounts, "peak_mb": max(peaks), "phase_peaks_mb": peaks}


def preview(args: argparse.Namespace, accounts: int) -> dict:
    """Run the what-if preview job once on the book (bench_preview's phase)."""
    common = ["--database-url", args.database_url, "--accounts", str(accounts), "--repeat", "1"]
    figures = child(script("bench_preview.py", "--phase", "preview", *common))
    return {**figures, "rows": accounts, "dry_run_ratio": figures["seconds"] / figures["dry_run"]}


def weekly_report(args: argparse.Namespace, accounts: int) -> dict:
    """Build the weekly report of the re-tier's week (bench_weekly_report's phase)."""
    common = ["--database-url", args.database_url, "--accounts", str(accounts)]
    figures = child(script("bench_weekly_report.py", "--phase", "report", *common))
    return {**figures, "rows": accounts}


def run_stage(name: str, args: argparse.Namespace, accounts: int) -> dict:
    """Run a stage and add its rows/s."""
    delegated = {"retier": retier, "metrics": metrics, "report": weekly_report, "preview": preview}
    if name == "build" and args.book == "tiering":
        delegated["build"] = tiering_book
    started = time.perf_counter()
    figures = delegated[name](args, accounts) if name in delegated else own_stage(name, args)
    figures["stage_wall_seconds"] = time.perf_counter() - started
    figures["rows_per_second"] = figures["rows"] / figures["seconds"] if figures["seconds"] else 0
    figures["goal"] = GOALS.get(name, "")
    return figures


def machine(url: str) -> dict:
    """Describe the machine, its load and the database engine, for the record."""
    return {
        "host": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "engine": book.server_settings(url),
        "calibration_loop_seconds": round(book.calibration(), 3),
    }


def show(name: str, f: dict) -> str:
    """Format one stage's row of the printed table."""
    extra = ""
    if "orm_loop_ratio" in f:
        extra = f"ORM loop {f['orm_loop_ratio']:.0f}×, floor {f['floor_ratio']:.1f}×"
    elif "read_ratio" in f:
        extra = f"{f['read_ratio']:.1f}× the read"
    elif "dry_run_ratio" in f:
        extra = f"{f['dry_run_ratio']:.1f}× a dry-run re-tier"
    return (
        f"{name:8} {f['seconds']:9.2f} s {f['rows_per_second']:12,.0f} rows/s "
        f"{f['peak_mb']:7.0f} MB  {extra:32} goal: {f['goal']}"
    )


def main() -> None:
    """Parse options, run the stages in order, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=tuple(SCALES), required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated stages")
    parser.add_argument("--book", choices=BOOKS, default="demo", help="the book the stages run on")
    parser.add_argument("--stage", choices=tuple(OWN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    accounts = SCALES[args.scale]
    args.database_url = args.database_url or (
        f"sqlite:///{Path(tempfile.gettempdir()) / f'cstier_run_{args.scale}.sqlite'}"
    )
    if args.stage:
        OWN[args.stage](args.database_url, accounts)
        return
    stages = [s for s in args.stages.split(",") if s]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stages {', '.join(unknown)}; choose from {', '.join(STAGES)}")
    started_at = datetime.now(UTC)
    before = machine(args.database_url)
    print(f"{args.scale} ({accounts:,} accounts, {args.book} book) on {before['engine']}; {before}")
    figures: dict[str, dict] = {}
    engine = "postgresql" if book.is_postgres(args.database_url) else "sqlite"
    suffix = "" if args.book == "demo" else f"-{args.book}"
    out = args.results_dir / f"{started_at:%Y-%m-%d}-{engine}-{args.scale}{suffix}.json"
    record = {
        "scale": args.scale,
        "accounts": accounts,
        "book": args.book,
        "engine": engine,
        "started_at": started_at.isoformat(),
        "machine_before": before,
        "stages": figures,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    for name in stages:
        print(f"  {name} …", flush=True)
        figures[name] = run_stage(name, args, accounts)
        print("  " + show(name, figures[name]), flush=True)
        # Written after every stage, so a run stopped in a long stage keeps what it measured.
        record["finished"] = name == stages[-1]
        record["machine_after"] = machine(args.database_url)
        out.write_text(json.dumps(record, indent=2) + "\n")
    print("\n" + "\n".join(show(name, f) for name, f in figures.items()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
