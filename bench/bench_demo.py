"""Benchmark the demo book: generate N accounts in the domain, optionally load some into SQLite.

Usage: python bench/bench_demo.py [--accounts 1000000] [--seed 42] [--load 20000]
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

from cstier.domain.demo_book import generate_book

TABLES = ("companies", "departments", "contacts", "accounts", "users")


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_generate(accounts: int, seed: int) -> None:
    """Time generate_book and report rows and DataFrame memory per table."""
    before = peak_rss_mb()
    started = time.perf_counter()
    book = generate_book(accounts, seed)
    elapsed = time.perf_counter() - started
    print(f"generate_book({accounts:,} accounts, seed={seed}): {elapsed:.2f} s")
    total = 0.0
    for name in TABLES:
        frame = getattr(book, name)
        size = frame.memory_usage(deep=True).sum() / 1e6
        total += size
        print(f"  {name:<12} {len(frame):>10,} rows  {size:>8.0f} MB")
    print(f"  DataFrames {total:.0f} MB; peak RSS {peak_rss_mb():.0f} MB (was {before:.0f} MB)")


def bench_load(accounts: int, seed: int) -> None:
    """Time load_demo into a fresh SQLite database built from the migrations."""
    from flask_migrate import upgrade

    from cstier import create_app
    from cstier.extensions import db
    from cstier.services.demo import load_demo

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            result = load_demo(db.session, accounts=accounts, seed=seed)
            elapsed = time.perf_counter() - started
            rows = sum(result.counts.values())
            print(f"load_demo({accounts:,} accounts) into SQLite: {elapsed:.2f} s, {rows:,} rows")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    """Parse the options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--load", type=int, default=0, help="also load this many into SQLite")
    args = parser.parse_args()
    bench_generate(args.accounts, args.seed)
    if args.load:
        bench_load(args.load, args.seed)


if __name__ == "__main__":
    main()
