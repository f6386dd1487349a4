"""Time churn and retention per value tier: 24 monthly periods over a big subscription book.

Usage:
  python bench/bench_metrics.py [--accounts 1000000] [--subscriptions 3000000]
                                [--database-url URL] [--reuse] [--repeat 3]

Builds (unless --reuse) a book of accounts, subscriptions over four years and a value tier
history, then times, each in its own process so its peak memory is its own:
  read    reading the subscriptions' four columns (account, start, end, MRR) as the metrics
          do (store/metric_reads.py), the floor;
  plain   the same four columns by the driver's plain fetchall, for reference;
  metrics logo churn, GRR, NRR and the bridge per value tier for the 24 months before
          2026-12-07, as a request computes them (read, tier history, engine).
The default database is a SQLite file in the temp folder; pass `postgresql+psycopg://…`
for PostgreSQL (its schema is dropped and rebuilt). Best of --repeat runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tiering_run import (  # noqa: E402
    STAMP,
    book_frames,
    bulk_load,
    dbapi_connect,
    make_app,
    reset_schema,
)

TODAY = date(2026, 12, 7)
FIRST_DAY = np.datetime64("2023-01-01")
TIERS = np.array(["Strategic", "Growth", "Scale"])
PLAIN_READ = "SELECT account_id, start_date, end_date, mrr_cents FROM subscription"


def cpu_seconds() -> float:
    """Return this process's CPU seconds so far, its threads' included (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(session) -> float:
    """Return the CPU seconds of the session's PostgreSQL backend so far (0 for SQLite).

    The server runs on this machine: its /proc entry gives what the queries cost it, which
    the wall time on a shared machine does not.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(session) -> float:
    """Return the CPU seconds so far of every PostgreSQL backend on the session's database.

    A job that reads on a second connection spends server time on a backend the session's
    figure misses; on a database only the benchmark uses, the sum over its backends counts it
    (a backend opened later starts from 0). 0 for SQLite.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pids = (
        session.connection()
        .exec_driver_sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        .scalars()
    )
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # the backend ended between the query and the read
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def subscription_frame(accounts: int, rows: int, seed: int = 11) -> pd.DataFrame:
    """Return subscriptions: ~3 per account, starting over four years, 60 % ended."""
    rng = np.random.default_rng(seed)
    start = FIRST_DAY + rng.integers(0, 1400, rows).astype("timedelta64[D]")
    ended = rng.random(rows) < 0.6
    end = start + rng.integers(0, 730, rows).astype("timedelta64[D]")
    ids = np.arange(1, rows + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"S-{i}" for i in ids],
            "account_id": rng.integers(1, accounts + 1, rows),
            "product": "Core",
            "start_date": start.astype(str),
            "end_date": pd.Series(end.astype(str)).where(ended, None),
            "mrr_cents": (np.rint(rng.lognormal(8.5, 1.2, rows))).astype(np.int64),
            "quantity": 1,
            "created_at": STAMP,
            "updated_at": STAMP,
        }
    )


def tier_history_frame(accounts: int, scheme_id: int, seed: int = 13) -> pd.DataFrame:
    """Return a first value tier per account, then a move for one account in three over 2 years."""
    rng = np.random.default_rng(seed)
    moves = accounts // 3
    account = np.concatenate([np.arange(1, accounts + 1), rng.integers(1, accounts + 1, moves)])
    first = np.full(accounts, np.datetime64("2022-12-01T06:00:00"))
    later = np.datetime64("2024-12-01T06:00:00") + rng.integers(0, 730 * 86400, moves).astype(
        "timedelta64[s]"
    )
    at = np.concatenate([first, later])
    tiers = TIERS[rng.integers(0, 3, len(account))]
    return pd.DataFrame(
        {
            "id": np.arange(1, len(account) + 1),
            "account_id": account,
            "scheme_id": scheme_id,
            "dimension": "value",
            "from_tier": None,
            "to_tier": tiers,
            "at": pd.Series(at).dt.strftime("%Y-%m-%d %H:%M:%S.000000"),
            "reason": "rule",
            "explanation": "",
        }
    )


def load_with_nulls(url: str, table: str, frame: pd.DataFrame) -> None:
    """Bulk-load a frame whose empty cells are NULL (COPY without escapes on PostgreSQL)."""
    if not url.startswith("postgresql"):
        bulk_load(url, table, frame)
        return
    conn = dbapi_connect(url)
    try:
        buffer = io.StringIO()
        frame.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N")
        columns = ", ".join(frame.columns)
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(frame) + 1}, false)"
            )
            cursor.execute(f"ANALYZE {table}")
        conn.commit()
    finally:
        conn.close()


def phase_build(url: str, accounts: int, subscriptions: int) -> None:
    """Build the schema, the accounts, their subscriptions and the value tier history."""
    from sqlalchemy import select

    from cstier.extensions import db
    from cstier.models import TierScheme
    from cstier.services.tiering.schemes import ensure_default_schemes

    started = time.perf_counter()
    reset_schema(url)
    app = make_app(url)
    with app.app_context():
        ensure_default_schemes(db.session)
        db.session.commit()
        scheme_id = db.session.scalar(select(TierScheme.id).where(TierScheme.key == "value_tiers"))
        db.engine.dispose()
    company, account = book_frames(accounts)
    bulk_load(url, "company", company)
    bulk_load(url, "account", account)
    del company, account
    load_with_nulls(url, "subscription", subscription_frame(accounts, subscriptions))
    load_with_nulls(url, "tier_change", tier_history_frame(accounts, scheme_id))
    print(f"build: {time.perf_counter() - started:.1f} s", flush=True)


def phase_measure(url: str, which: str, repeat: int) -> None:
    """Time one measurement and print its best time and this process's peak memory."""
    from cstier.domain.metrics.periods import trailing_months
    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.metrics.compute import compute_figures
    from cstier.services.metrics.splits import resolve_split
    from cstier.store.metric_reads import read_subscription_days

    app = make_app(url)
    months = trailing_months(TODAY, 24)
    with app.app_context():
        times, cpu, size = [], [], 0
        for _ in range(repeat):
            server = server_cpu_seconds(db.session)
            client = cpu_seconds()
            started = time.perf_counter()
            if which == "read":
                size = len(read_subscription_days(db.session))
            elif which == "plain":
                size = len(db.session.connection().exec_driver_sql(PLAIN_READ).fetchall())
            else:
                figures = compute_figures(
                    db.session, SYSTEM_ACTOR, months, resolve_split(db.session, "value_tiers")
                )
                size = len(figures)
            times.append(time.perf_counter() - started)
            cpu.append((cpu_seconds() - client, server_cpu_seconds(db.session) - server))
            db.session.rollback()
    best = times.index(min(times))
    result = {"best": times[best], "cpu": cpu[best], "rows": size, "peak_mb": peak_mb()}
    print("RESULT " + json.dumps(result))


def run(phase: str, args: argparse.Namespace) -> dict:
    """Run a phase in a child process and return its RESULT line."""
    command = [sys.executable, __file__, "--phase", phase, "--database-url", args.database_url,
               "--accounts", str(args.accounts), "--subscriptions", str(args.subscriptions),
               "--repeat", str(args.repeat)]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
        print(line)
    return {}


def cpu_text(result: dict) -> str:
    """Return a measurement's CPU seconds: this process's, and the server's when there is one."""
    client, server = result["cpu"]
    return f"CPU {client:.2f} s" + (f" + server {server:.2f} s" if server else "")


def main() -> None:
    """Parse arguments, build unless reused, then measure the read and the metrics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--subscriptions", type=int, default=3_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=("build", "read", "plain", "metrics"), default=None)
    args = parser.parse_args()
    if args.database_url is None:
        path = Path(tempfile.gettempdir()) / f"cstier_metrics_{args.accounts}.sqlite"
        args.database_url = f"sqlite:///{path}"
    if args.phase == "build":
        phase_build(args.database_url, args.accounts, args.subscriptions)
        return
    if args.phase:
        phase_measure(args.database_url, args.phase, args.repeat)
        return
    if not args.reuse:
        run("build", args)
    read, plain, metrics = run("read", args), run("plain", args), run("metrics", args)
    print(f"{args.database_url.split(':')[0]}: {args.accounts:,} accounts, "
          f"{args.subscriptions:,} subscriptions, 24 monthly periods by value tier")  # fmt: skip
    for label, result in (("read four columns", read), ("plain fetchall", plain)):
        print(f"  {label + ':':18} {result['best']:.2f} s, {cpu_text(result)}, "
              f"peak {result['peak_mb']:.0f} MB")  # fmt: skip
    print(
        f"  metrics:           {metrics['best']:.2f} s, {cpu_text(metrics)}, "
        f"peak {metrics['peak_mb']:.0f} MB, "
        f"{metrics['best'] / read['best']:.1f}× the read, "
        f"{metrics['best'] / plain['best']:.1f}× the plain fetchall ({metrics['rows']} segment rows)"
    )


if __name__ == "__main__":
    main()
