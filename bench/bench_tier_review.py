"""Time the tier review service in-process on an existing book, read-only.

Usage:
  python bench/bench_tier_review.py --database-url URL [--requests 5] [--week 2026-W49 ...]

For each week (default: the last full week and the current one, as the page's default and
its `?week=` for the current week) it builds the review as an admin and as the CSM with the
most accounts, `--requests` times after one warm-up, and prints p50/p95 and the week's size.
Nothing is written, so it runs on the shared read-only book.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_tiering_run as book  # noqa: E402 - the bench folder is not a package


def main() -> None:
    """Time the review per week and actor; print one line each."""
    from sqlalchemy import func, select

    from cstier.domain.permissions import SYSTEM_ACTOR, Actor
    from cstier.domain.reports import parse_week, week_label
    from cstier.extensions import db
    from cstier.models import Account
    from cstier.services.reports import default_week, tier_review

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--week", action="append", default=[])
    args = parser.parse_args()
    app = book.make_app(args.database_url)
    with app.app_context():
        now = datetime.now(UTC)
        weeks = [parse_week(w) for w in args.week] or [
            default_week(now),
            now.date().fromordinal(now.date().toordinal() - now.weekday()),
        ]
        busiest = db.session.execute(
            select(Account.csm_id)
            .where(Account.csm_id.is_not(None))
            .group_by(Account.csm_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        actors = [("admin", SYSTEM_ACTOR)] + ([("csm", Actor(busiest, "csm"))] if busiest else [])
        for week in weeks:
            for label, actor in actors:
                timings = []
                for attempt in range(args.requests + 1):
                    started = time.perf_counter()
                    report = tier_review(db.session, actor, week, now)
                    elapsed = time.perf_counter() - started
                    db.session.rollback()
                    if attempt:
                        timings.append(elapsed)
                timings.sort()
                p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
                print(
                    f"{week_label(week)} {label}: p50 {statistics.median(timings) * 1000:.0f} ms, "
                    f"p95 {p95 * 1000:.0f} ms over {len(timings)}; "
                    f"{sum(s.changes for s in report.review.schemes):,} changes, "
                    f"{report.review.changes:,} moves; load {Path('/proc/loadavg').read_text()[:14]}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
