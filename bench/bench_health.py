"""Time health scoring for a book: the domain over 1,000,000 accounts, or the whole service.

Usage:
  python bench/bench_health.py [--accounts 1000000] [--repeat 3]
  python bench/bench_health.py --database-url URL [--repeat 1]
  python bench/bench_health.py --database-url URL --daily [--build] [--accounts 1000000]

Without a URL the script builds the eight inputs of the default scorecard for `--accounts`
accounts (a tenth of each missing) and times the pure domain: points, shared-out weights,
coverage, bands with hysteresis against a previous day, overrides and each measure's values
packed for storage, as `score_accounts` runs them. With a URL it times `score_day` end to end on
that database (reading the inputs, scoring, writing a day of scores), then rolls back.
The best of `--repeat` runs is reported.

With `--daily` it times the daily health pass (`daily_health`: onboarding check, then read
every input, score, band and write a day of scores, committed) on that database, after
yesterday was scored (untimed) so hysteresis has a previous day. `--build` first builds the
book there (the schema is rebuilt): accounts with coverage from a first tiering run, four
months of two usage metrics, touches over the past year, NPS, renewal dates, and one account
in twenty onboarding with some milestones done.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench folder is not a package


def synthetic_inputs(accounts: int, seed: int = 7):
    """Return an input frame shaped like read_inputs' for the default scorecard."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns = {
        "usage.weekly_active_users": rng.lognormal(3, 0.7, accounts),
        "usage.weekly_active_users.trend": rng.normal(0, 15, accounts),
        "onboarding": rng.choice([0.0, 40.0, 75.0, 100.0], accounts),
        "usage.support_tickets": rng.poisson(3, accounts).astype(float),
        "attr.nps": rng.integers(0, 11, accounts).astype(float),
        "days_since_touch": rng.integers(0, 200, accounts).astype(float),
        "cadence_kept": rng.choice([0.0, 100.0], accounts),
        "renewal_days": rng.integers(0, 365, accounts).astype(float),
    }
    frame = pd.DataFrame(columns, index=pd.RangeIndex(1, accounts + 1, name="account_id"))
    return frame.mask(rng.random(frame.shape) < 0.1)


def score_domain(inputs, card, previous, overrides) -> float:
    """Score, band and serialize the book once; return the seconds it took."""
    from cstier.domain.health.bands import banded, with_overrides
    from cstier.domain.health.score import score_frame
    from cstier.services.account_health.scoring import measure_values
    from cstier.store.health_scores import pack_measures

    started = time.perf_counter()
    scored = score_frame(inputs, card)
    band = banded(scored["score"], scored["enough"], previous, card)
    with_overrides(band, overrides, date(2026, 12, 7))
    pack_measures(measure_values(scored, inputs, card.measures))
    return time.perf_counter() - started


def bench_domain(accounts: int, repeat: int) -> None:
    """Time the domain on a synthetic book."""
    import numpy as np
    import pandas as pd

    from cstier.domain.health.score import raw_band, score_frame
    from cstier.domain.health.scorecard import DEFAULT_SCORECARD, parse_scorecard

    card = parse_scorecard(DEFAULT_SCORECARD)
    inputs = synthetic_inputs(accounts)
    first = score_frame(inputs, card)
    previous = raw_band(first["score"], first["enough"], card)
    overrides = pd.DataFrame(
        {"account_id": np.arange(1, accounts + 1, 1000), "band": "green", "expires_on": None}
    )
    best = min(score_domain(inputs, card, previous, overrides) for _ in range(repeat))
    print(f"domain: {accounts:,} accounts scored in {best:.2f} s (best of {repeat})")


def bench_service(url: str, repeat: int) -> None:
    """Time score_day on a database, rolling each run back."""
    from cstier import create_app
    from cstier.extensions import db
    from cstier.models.base import utcnow
    from cstier.services.account_health.scoring import score_day

    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            summary = score_day(db.session, utcnow().date(), utcnow())
            times.append(time.perf_counter() - started)
            db.session.rollback()
        print(f"service: {summary.accounts:,} accounts scored and written in {min(times):.2f} s")


def phase_build(url: str, accounts: int) -> None:
    """Build a scored-ready book: accounts, coverage, usage, touches, onboardings (not timed)."""
    import json

    import bench_tiering_run as book
    import numpy as np
    import pandas as pd

    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.engagement import ensure_default_cadences
    from cstier.services.onboarding.check import start_onboardings
    from cstier.services.tiering.retier import retier_book
    from cstier.services.tiering.schemes import ensure_default_schemes

    started = time.perf_counter()
    rng = np.random.default_rng(19)
    book.reset_schema(url)
    company, account = book.book_frames(accounts)
    nps = rng.integers(0, 11, accounts)
    has_nps = rng.random(accounts) < 0.6
    account["attributes"] = [
        a[:-1] + f', "nps": {n}}}' if h else a
        for a, n, h in zip(account["attributes"], nps.tolist(), has_nps.tolist(), strict=True)
    ]
    onboarding = rng.random(accounts) < 0.05
    account["lifecycle_stage"] = np.where(onboarding, "onboarding", "active")
    today = date.today()
    contract = pd.Timestamp(today) - pd.to_timedelta(rng.integers(0, 1000, accounts), unit="D")
    contract = contract.where(~onboarding, pd.Timestamp(today) - pd.to_timedelta(
        rng.integers(1, 90, accounts), unit="D"))  # fmt: skip
    account["contract_start_date"] = contract.strftime("%Y-%m-%d")
    renewal = pd.Timestamp(today) + pd.to_timedelta(rng.integers(-30, 365, accounts), unit="D")
    account["renewal_date"] = renewal.strftime("%Y-%m-%d")
    book.bulk_load(url, "company", company)
    book.bulk_load(url, "account", account)
    conn = book.dbapi_connect(url)
    try:  # a tenth without a renewal date (COPY's text format takes no NULL from the frame)
        conn.execute("UPDATE account SET renewal_date = NULL WHERE id % 10 = 0")
        conn.commit()
    finally:
        conn.close()
    ids = np.arange(1, accounts + 1)
    months = [
        (pd.Timestamp(today).to_period("M") - back).to_timestamp() for back in range(4, 0, -1)
    ]
    parts = []
    for metric, level in (("weekly_active_users", 30.0), ("support_tickets", 3.0)):
        reporting = ids[rng.random(accounts) < 0.9]
        base = rng.lognormal(np.log(level), 0.7, len(reporting))
        for n, first in enumerate(months):
            parts.append(pd.DataFrame({"account_id": reporting, "metric": metric,
                                       "period_start": first.strftime("%Y-%m-%d"),
                                       "value": base * rng.normal(1 + 0.02 * n, 0.1, len(reporting))}))  # fmt: skip
    usage = pd.concat(parts, ignore_index=True)
    usage.insert(0, "id", np.arange(1, len(usage) + 1))
    book.bulk_load(url, "usage_metric", usage)
    touched = rng.choice(ids, accounts * 2)
    touches = pd.DataFrame(
        {
            "id": np.arange(1, len(touched) + 1),
            "account_id": touched,
            "kind": np.array(["call", "meeting", "qbr", "email"])[rng.integers(0, 4, len(touched))],
            "occurred_on": (
                pd.Timestamp(today) - pd.to_timedelta(rng.integers(1, 365, len(touched)), unit="D")
            ).strftime("%Y-%m-%d"),  # fmt: skip
            "note": "",
            "created_at": book.STAMP,
            "updated_at": book.STAMP,
        }
    )
    book.bulk_load(url, "touch", touches)
    app = book.make_app(url)
    with app.app_context():
        ensure_default_schemes(db.session)
        db.session.commit()
        retier_book(db.session, SYSTEM_ACTOR, trigger="bench")
        ensure_default_cadences(db.session)
        started_onboardings = start_onboardings(db.session)
        db.session.commit()
        steps = db.session.execute(db.text(
            "SELECT o.account_id, o.start_date, p.milestones FROM account_onboarding o "
            "JOIN onboarding_plan p ON p.id = o.plan_id")).all()  # fmt: skip
        rows = []
        for account_id, start_date, milestones in steps:
            milestones = json.loads(milestones) if isinstance(milestones, str) else milestones
            start_day = pd.Timestamp(start_date)
            for m in milestones[: int(rng.integers(0, len(milestones) + 1))]:
                done = start_day + pd.Timedelta(days=int(m["target_days"]))
                if done.date() < today:
                    rows.append({"external_id": f"MS-{account_id}-{m['key']}",
                                 "account_id": account_id, "name": m["name"],
                                 "completed_on": done.strftime("%Y-%m-%d"),
                                 "plan_milestone": m["key"], "created_at": book.STAMP,
                                 "updated_at": book.STAMP})  # fmt: skip
        db.engine.dispose()
    milestones = pd.DataFrame(rows)
    milestones.insert(0, "id", np.arange(1, len(milestones) + 1))
    book.bulk_load(url, "onboarding_milestone", milestones)
    book.settle(url)
    print(
        f"build: {accounts:,} accounts, {len(usage):,} usage figures, {len(touches):,} touches, "
        f"{started_onboardings:,} onboardings, {len(milestones):,} milestones done; "
        f"{time.perf_counter() - started:.0f} s"
    )


# Where the daily pass spends its time: (module, attribute, owner, label); bench only.
DAILY_STAGES = [
    ("cstier.services.account_health.daily", "check_onboarding", None, "onboarding check"),
    (
        "cstier.services.account_health.scoring",
        "read_day_inputs",
        None,
        "read cadences",
    ),
    (
        "cstier.services.account_health.scoring",
        "read_range_inputs",
        None,
        "read inputs by range (reader thread)",
    ),
    ("cstier.services.account_health.scoring", "bands_on", None, "read yesterday's bands"),
    ("cstier.services.account_health.scoring", "clear_day", None, "clear the day"),
    ("cstier.services.account_health.scoring", "score_frame", None, "score"),
    ("cstier.services.account_health.scoring", "measure_values", None, "measure values"),
    ("cstier.store.health_scores", "score_rows", None, "score rows"),
    ("cstier.store.bulk_writes", "insert", "BulkWriter", "insert (writer thread)"),
]


def phase_daily(url: str, day: date, timed: bool, range_accounts: int | None = None) -> None:
    """Run the daily health pass for the day, committed; report its time when timed."""
    from datetime import UTC, datetime

    import bench_tiering_run as book
    from bench_metrics import cpu_seconds, database_cpu_seconds

    from cstier.extensions import db
    from cstier.services.account_health.daily import daily_health
    from cstier.store.sizes import BatchSizes

    spent = book.time_stages(DAILY_STAGES)
    app = book.make_app(url)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        now = datetime.combine(day, datetime.min.time(), UTC).replace(hour=5)
        loops = [book.calibration()]
        cpu, server = cpu_seconds(), database_cpu_seconds(db.session)
        started = time.perf_counter()
        sizes = BatchSizes(**({"health_range_accounts": range_accounts} if range_accounts else {}))
        result = daily_health(db.session, now, sizes)
        elapsed = time.perf_counter() - started
        cpu, server = cpu_seconds() - cpu, database_cpu_seconds(db.session) - server
        loops.append(book.calibration())
        if timed:
            print(
                f"daily health {day}: {elapsed:.2f} s end to end (CPU {cpu:.2f} s, server "
                f"backends {server:.2f} s), "
                f"{result.scoring.accounts:,} scores written {result.scoring.by_band}, "
                f"{result.onboarding.checked:,} onboardings checked; peak RSS "
                f"{book.peak_mb():.0f} MB; {book.server_settings(url)}; calibration loop "
                f"{loops[0]:.2f} s before, {loops[1]:.2f} s after"
            )
            print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()))
        db.engine.dispose()


def bench_daily(
    url: str, accounts: int, build: bool, repeat: int, range_accounts: int | None = None
) -> None:
    """Build if asked, score yesterday untimed, then time today's daily pass, each in a process."""
    import subprocess
    from datetime import timedelta

    def run(*extra: str) -> None:
        command = [sys.executable, __file__, "--database-url", url, *extra]
        subprocess.run(command, check=True)

    if build:
        run("--phase", "build", "--accounts", str(accounts))
    today = date.today()
    run("--phase", "daily", "--day", (today - timedelta(days=1)).isoformat())
    ranges = ["--range-accounts", str(range_accounts)] if range_accounts else []
    for _ in range(repeat):
        run("--phase", "daily", "--day", today.isoformat(), "--timed", *ranges)


def main() -> None:
    """Parse arguments and run the chosen benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--daily", action="store_true", help="time the daily health pass")
    parser.add_argument("--build", action="store_true", help="build the book first")
    parser.add_argument(
        "--range-accounts", type=int, help="accounts per range of the daily pass (its default)"
    )
    parser.add_argument("--phase", choices=["build", "daily"], help=argparse.SUPPRESS)
    parser.add_argument("--day", type=date.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--timed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "build":
        phase_build(args.database_url, args.accounts)
    elif args.phase == "daily":
        phase_daily(args.database_url, args.day, args.timed, args.range_accounts)
    elif args.daily:
        bench_daily(args.database_url, args.accounts, args.build, args.repeat, args.range_accounts)
    elif args.database_url:
        bench_service(args.database_url, args.repeat)
    else:
        bench_domain(args.accounts, args.repeat)


if __name__ == "__main__":
    main()
