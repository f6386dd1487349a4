"""Time a what-if preview of a draft value scheme over the whole book, as its background job runs it.

Usage:
  python bench/bench_preview.py [--accounts 1000000] [--database-url URL] [--reuse]
                                [--repeat 2]

The book is bench_tiering_run.py's (built, tiered once, given owners); `--reuse` keeps a book
that script or an earlier run of this one built. The draft lowers the value bands (Strategic
from 250,000 to 200,000, Growth from 50,000 to 40,000), so a few percent of the book moves.
Each preview is queued as a `preview` job and run by the job worker, as the scheduler does:
the figure is the job's wall time from claim to done, storing included. The stages of the
compute (read book, evaluate, coverage and headcount) are timed alongside, and a dry-run
re-tier of every scheme is timed after them in the same process, for a ratio.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tiering_run import (  # noqa: E402
    calibration,
    make_app,
    peak_mb,
    report,
    run_phase,
    server_settings,
    settle,
    time_stages,
)

# Where a preview spends its time: (module, attribute, owner class or None, label).
STAGES = [
    ("cstier.services.tiering.preview", "read_snapshot", None, "read book"),
    ("cstier.services.tiering.preview", "propose", None, "evaluate"),
    ("cstier.services.tiering.preview", "movement_matrix", None, "matrix"),
    ("cstier.services.tiering.preview", "_coverage_effect", None, "coverage + headcount"),
    ("cstier.store.bulk_writes", "insert", "BulkWriter", "store moves"),
]


def draft(definition: dict) -> dict:
    """Return the value scheme with lower bands: Strategic from 200,000, Growth from 40,000."""
    lowered = copy.deepcopy(definition)
    for band in lowered["bands"]:
        if band.get("min") == 250_000:
            band["min"] = 200_000
        if band.get("max") == 250_000:
            band["max"] = 200_000
        if band.get("min") == 50_000:
            band["min"] = 40_000
        if band.get("max") == 50_000:
            band["max"] = 40_000
    return lowered


def phase_preview(url: str, repeat: int) -> None:
    """Queue and run the preview job `repeat` times; report the best and every figure."""
    from flask_migrate import upgrade
    from sqlalchemy import select
    from sqlalchemy.orm import configure_mappers

    from cstier.extensions import db
    from cstier.models import BackgroundJob, TierScheme, User
    from cstier.services.jobs.background import work_once
    from cstier.services.jobs.leases import Lease
    from cstier.services.tiering.preview_queue import queue_preview

    spent = time_stages(STAGES)
    app = make_app(url)
    with app.app_context():
        upgrade()  # a reused book may predate the preview tables
        session = db.session
        manager = session.scalar(select(User).where(User.email == "manager@bench.example"))
        if manager is None:
            manager = User(email="manager@bench.example", name="Bench Manager", role="cs_manager",
                           password_hash="!", active=True)  # fmt: skip
            session.add(manager)
            session.commit()
        from cstier.domain.permissions import Actor

        actor = Actor(user_id=manager.id, role="cs_manager")
        scheme = session.scalar(select(TierScheme).where(TierScheme.dimension == "value"))
        definition = draft(scheme.current.definition)
        configure_mappers()
        figures = []
        for attempt in range(repeat):
            spent.clear()
            job = queue_preview(session, actor, scheme.id, definition)
            loops = [calibration()]
            started = time.perf_counter()
            work_once(session, Lease("bench"), app.config)
            elapsed = time.perf_counter() - started
            loops.append(calibration())
            job = session.get(BackgroundJob, job.id)
            session.refresh(job)
            if job.status != "done":
                raise SystemExit(f"preview job failed: {job.error}")
            figures.append(elapsed)
            spent["other (claim, snapshot set-up, finish)"] = elapsed - sum(spent.values())
            print(
                f"preview #{attempt + 1}: {elapsed:.2f} s ({job.progress_message}); "
                f"peak RSS {peak_mb():.0f} MB; calibration loop {loops[0]:.2f} s before, "
                f"{loops[1]:.2f} s after; result {job.result_url}"
            )
            print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()))
        # A dry-run re-tier of every scheme, in the same process and minute: the ratio to it
        # holds where the machine's speed does not.
        from cstier.services.tiering.run import run_tiering

        spent.clear()
        started = time.perf_counter()
        run_tiering(session, actor, trigger="bench", dry_run=True)
        dry_run = time.perf_counter() - started
        print(
            f"dry-run re-tier (all schemes): {dry_run:.2f} s; "
            f"preview / dry run = {min(figures) / dry_run:.2f}"
        )
        report(seconds=min(figures), all=figures, dry_run=dry_run, peak_mb=peak_mb())


def main() -> None:
    """Parse options, build the book unless reused, then time the preview job."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep the built and tiered book")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--phase", choices=("preview",), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.database_url = args.database_url or (
        f"sqlite:///{Path(tempfile.gettempdir()) / f'cstier_bench_{args.accounts}.sqlite'}"
    )
    if args.phase:
        phase_preview(args.database_url, args.repeat)
        return
    print(
        f"{server_settings(args.database_url)}; {args.accounts:,} accounts, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"load average {os.getloadavg()[0]:.2f}; calibration loop {calibration():.2f} s"
    )
    if not args.reuse:
        args.sample = 0
        for phase in ("build", "first", "owners"):
            run_phase(phase, args)
    settle(args.database_url)  # PostgreSQL: vacuumed and analysed, as autovacuum leaves a book
    command = [sys.executable, __file__, "--phase", "preview", "--database-url", args.database_url]
    command += ["--accounts", str(args.accounts), "--repeat", str(args.repeat)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    subprocess.run(command, env=env, check=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
