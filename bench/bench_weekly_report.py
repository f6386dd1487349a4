"""Time building the weekly report over a big book: history, usage, subscriptions, owners.

Usage:
  python bench/bench_weekly_report.py [--accounts 1000000] [--database-url URL]
                                      [--phases build,first,owners,backdate,change,run,signals,report]

It builds and tiers the book as bench_tiering_run.py does (build, first run, owners), dates
the first run's history a week earlier (the book was tiered before the reported week), makes
a ~5 % change and re-tiers (the week's moves and flagged accounts), adds three months of one
usage metric and a subscription for a tenth of the accounts, then builds the report of the
week the re-tier ran in, in its own process so the peak memory is the build's. `--phases`
runs only some of them, e.g. `change,run,report` on a book built before.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_tiering_run as book  # noqa: E402 - the bench folder is not a package

PHASES = ("build", "first", "owners", "backdate", "change", "run", "signals", "monday", "report")
USAGE_SHARE, SUBSCRIPTION_SHARE = 10, 10  # one account in ten reports usage, one in ten pays


def phase_signals(url: str) -> None:
    """Add usage figures and subscriptions for a share of the accounts (not timed)."""
    conn = book.dbapi_connect(url)
    try:
        cursor = conn.cursor()
        accounts = book.count_accounts(cursor)
    finally:
        conn.close()
    rng = np.random.default_rng(11)
    ids = np.arange(1, accounts + 1, USAGE_SHARE)
    months = [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]
    base = rng.uniform(10, 1000, len(ids))
    growth = rng.uniform(0.8, 1.6, len(ids))
    usage = pd.DataFrame(
        {
            "id": np.arange(1, 3 * len(ids) + 1),
            "account_id": np.tile(ids, 3),
            "metric": "seats_used",
            "period_start": np.repeat([m.isoformat() for m in months], len(ids)),
            "value": np.concatenate([base, base * np.sqrt(growth), base * growth]),
        }
    )
    book.bulk_load(url, "usage_metric", usage)
    paying = np.arange(5, accounts + 1, SUBSCRIPTION_SHARE)
    recent = rng.random(len(paying)) < 0.2  # a fifth started a second product lately
    subscription = pd.DataFrame(
        {
            "id": np.arange(1, len(paying) + recent.sum() + 1),
            "external_id": [f"SU-{i}" for i in range(1, len(paying) + recent.sum() + 1)],
            "account_id": np.concatenate([paying, paying[recent]]),
            "product": ["Core"] * len(paying) + ["Add-on"] * int(recent.sum()),
            "start_date": ["2025-01-01"] * len(paying) + ["2025-12-01"] * int(recent.sum()),
            "mrr_cents": 100_000,
            "quantity": 10,
            "created_at": book.STAMP,
            "updated_at": book.STAMP,
        }
    )
    book.bulk_load(url, "subscription", subscription)
    print(f"signals: {len(usage):,} usage figures, {len(subscription):,} subscriptions")


def phase_monday(url: str) -> None:
    """Add the manager's Monday queues: overrides in force (some expiring) and handoffs (not timed).

    Every account gets a renewal date; overrides pin a value tier on 2 % of the accounts, one
    in twenty expiring within 7 days; handoffs are a year of reassignments, 5,000 still open.
    """
    conn = book.dbapi_connect(url)
    try:
        cursor = conn.cursor()
        accounts = book.count_accounts(cursor)
        cursor.execute("SELECT id FROM tier_scheme WHERE key = 'value_tiers'")
        scheme_id = int(cursor.fetchone()[0])
        cursor.execute("SELECT id FROM \"user\" WHERE role = 'csm' ORDER BY id")
        csms = np.array([int(r[0]) for r in cursor.fetchall()])
    finally:
        conn.close()
    rng = np.random.default_rng(13)
    now = pd.Timestamp(datetime.now(UTC))
    # Renewals spread from half a year ago to a year ahead: a sixth renew within 90 days.
    offset = "(id * 37) % 545 - 180"
    renews = (
        f"CURRENT_DATE + ({offset})"
        if book.is_postgres(url)
        else f"date('now', (({offset})) || ' days')"
    )
    conn = book.dbapi_connect(url)
    try:
        conn.cursor().execute(f"UPDATE account SET renewal_date = {renews}")
        conn.commit()
    finally:
        conn.close()
    pinned = rng.choice(np.arange(1, accounts + 1), accounts // 50, replace=False)
    expires = now + pd.to_timedelta(rng.uniform(8, 180, len(pinned)), unit="D")
    soon = rng.random(len(pinned)) < 0.05
    expires = expires.where(
        ~soon, now + pd.to_timedelta(rng.uniform(0.1, 7, len(pinned)), unit="D")
    )
    overrides = pd.DataFrame(
        {
            "id": np.arange(1, len(pinned) + 1),
            "account_id": pinned,
            "scheme_id": scheme_id,
            "tier": "Strategic",
            "reason": "Board-level sponsor",
            "expires_at": [t.isoformat() for t in expires],
            "created_at": [
                (now - pd.Timedelta(days=int(d))).isoformat()
                for d in rng.integers(1, 365, len(pinned))
            ],
            "version": 1,
        }
    )
    book.bulk_load(url, "tier_override", overrides)
    moved = 105_000
    due = pd.Timestamp(now.date()) + pd.to_timedelta(rng.integers(-365, 14, moved), unit="D")
    done = np.arange(moved) >= 5_000
    handoffs = pd.DataFrame(
        {
            "id": np.arange(1, moved + 1),
            "account_id": rng.integers(1, accounts + 1, moved),
            "from_csm_id": rng.choice(csms, moved),
            "to_csm_id": rng.choice(csms, moved),
            "due_date": [d.date().isoformat() for d in due],
            "notes": "",
            "done_at": [(d + pd.Timedelta(days=3)).isoformat() for d in due],
            "created_at": [(d - pd.Timedelta(days=14)).isoformat() for d in due],
            "version": 1,
        }
    )
    # Two loads: the open ones have no done_at (COPY's null marker does not survive escaping).
    book.bulk_load(url, "handoff", handoffs[~done].drop(columns="done_at"))
    book.bulk_load(url, "handoff", handoffs[done])
    conn = book.dbapi_connect(url)
    try:  # each load set the id sequence to its own length (SQLite takes max(id) + 1)
        if book.is_postgres(url):
            sequence = f"SELECT setval(pg_get_serial_sequence('handoff', 'id'), {moved})"
            conn.cursor().execute(sequence)
            conn.commit()
    finally:
        conn.close()
    print(
        f"monday: {len(overrides):,} overrides ({int(soon.sum()):,} expiring), {moved:,} handoffs"
    )


def phase_backdate(url: str) -> None:
    """Date every tier change so far a week earlier: the first tiering was last week."""
    conn = book.dbapi_connect(url)
    try:
        shift = "at - interval '7 days'" if book.is_postgres(url) else "datetime(at, '-7 days')"
        conn.cursor().execute(f"UPDATE tier_change SET at = {shift}")
        conn.commit()
    finally:
        conn.close()
    print("backdate: the first run's history moved a week back")


def phase_report(url: str) -> None:
    """Build the report of the week the last run fell in, and report time and peak memory."""
    from sqlalchemy import func, select

    from cstier.domain.reports import week_label
    from cstier.extensions import db
    from cstier.models import TierChange, WeeklyReport
    from cstier.services.weekly_report import build_weekly_report

    app = book.make_app(url)
    with app.app_context():
        last = db.session.scalar(select(func.max(TierChange.at)))
        last = last.replace(tzinfo=UTC) if last.tzinfo is None else last
        monday = last.date() - timedelta(days=last.weekday())
        db.session.execute(db.delete(WeeklyReport).where(WeeklyReport.week == week_label(monday)))
        db.session.commit()
        before = book.peak_mb()
        started = time.perf_counter()
        report = build_weekly_report(
            db.session,
            week_label(monday),
            datetime.combine(monday + timedelta(days=8), datetime.min.time(), UTC),
        )
        elapsed = time.perf_counter() - started
        content = report.content
        print(
            f"weekly report {report.week}: {elapsed:.2f} s, peak RSS {book.peak_mb():.0f} MB "
            f"(process before {before:.0f} MB); {content['review']['changes']:,} tier changes, "
            f"{content['needs_owner']['total']:,} needing an owner, "
            f"{content['hidden_gems']['total']:,} hidden gems, "
            f"{content['at_risk']['total']:,} at risk; content {len(json.dumps(content)) / 1024:.0f} KB"
        )
        book.report(seconds=elapsed, peak_mb=book.peak_mb())


def run_phase(phase: str, args: argparse.Namespace, script: str = __file__) -> None:
    """Run one phase in a fresh process and echo what it prints."""
    command = [sys.executable, script, "--phase", phase, "--database-url", args.database_url]
    command += ["--accounts", str(args.accounts)]
    subprocess.run(command, check=True)


def main() -> None:
    """Run the phases: build and tier the book, then time the weekly report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated phases")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, default=book.SAMPLE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.database_url = args.database_url or (
        f"sqlite:///{Path(book.tempfile.gettempdir()) / f'cstier_weekly_{args.accounts}.sqlite'}"
    )
    own = {
        "backdate": phase_backdate,
        "signals": phase_signals,
        "monday": phase_monday,
        "report": phase_report,
    }
    if args.phase:
        own[args.phase](args.database_url)
        return
    for phase in args.phases.split(","):
        run_phase(phase, args, __file__ if phase in own else str(Path(book.__file__)))


if __name__ == "__main__":
    main()
