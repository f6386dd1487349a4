"""Time migration 0025 (current tiers from blocks to current_tier rows) and its downgrade.

Usage:
  python bench/bench_migration_current_tiers.py --database-url URL [--build --accounts N]

The database holds a tiered book, as `bench/bench_tiering_run.py --reuse` leaves it (1M
accounts x 5 schemes: 5M rows). `--build` builds and tiers one first with that script's
phases. A book at 0024 is upgraded (timed); then, at 0025, the downgrade and the upgrade are
timed once more, so the figures cover both directions on the same book. The database ends
at the head revision.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_tiering_run import calibration, make_app, peak_mb, server_settings

ROOT = Path(__file__).resolve().parent.parent


def build(url: str, accounts: int) -> None:
    """Build and first-run a book with bench_tiering_run's phases."""
    script = ROOT / "bench" / "bench_tiering_run.py"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for phase in ("build", "first"):
        command = [sys.executable, str(script), "--phase", phase, "--database-url", url]
        subprocess.run(command + ["--accounts", str(accounts)], env=env, check=True)


def timed(step, revision: str) -> float:
    """Run one migration step to a revision; return its seconds."""
    started = time.perf_counter()
    step(revision=revision)
    return time.perf_counter() - started


def main() -> None:
    """Time the upgrade, the downgrade and the upgrade again of 0025."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--build", action="store_true", help="build and tier a book first")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.build:
        build(args.database_url, args.accounts)
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from cstier.extensions import db

    print(f"{server_settings(args.database_url)}; calibration loop {calibration():.2f} s")
    app = make_app(args.database_url)
    with app.app_context():
        with db.engine.connect() as conn:
            at = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            blocks = conn.execute(text("SELECT count(*) FROM tier_block")).scalar()
        print(f"book at revision {at}, {blocks} tier blocks")
        if at == "0024":
            print(f"upgrade 0024 -> 0025: {timed(upgrade, '0025'):.1f} s")
        elif at != "0025":
            upgrade(revision="0025")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM current_tier")).scalar()
        print(f"current_tier: {rows:,} rows")
        print(f"downgrade 0025 -> 0024: {timed(downgrade, '0024'):.1f} s")
        print(f"upgrade 0024 -> 0025: {timed(upgrade, '0025'):.1f} s")
        upgrade()
        db.engine.dispose()
    print(f"peak RSS {peak_mb():.0f} MB; calibration loop {calibration():.2f} s after")


if __name__ == "__main__":
    main()
