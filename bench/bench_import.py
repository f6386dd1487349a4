"""Benchmark the accounts import: generate a CSV of N accounts, import it validated and written.

Usage: python bench/bench_import.py [--rows 1000000] [--companies 10000]
       [--database-url postgresql+psycopg://...] [--reimport]

Reports rows/s and the process's peak resident memory (the file is generated in chunks,
so the peak reflects the import's chunked reading, not the generator).
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GENERATE_CHUNK = 100_000


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_companies(path: Path, companies: int) -> None:
    """Write a companies CSV the accounts will refer to."""
    ids = np.arange(1, companies + 1)
    pd.DataFrame(
        {
            "external_id": [f"CO-{i:07d}" for i in ids],
            "name": [f"Company {i}" for i in ids],
            "region": np.random.default_rng(1).choice(["NA", "EMEA", "APAC", "LATAM"], companies),
        }
    ).to_csv(path, index=False)


def write_accounts(path: Path, rows: int, companies: int, seed: int = 42) -> None:
    """Write an accounts CSV in chunks so generating it never holds the whole file."""
    rng = np.random.default_rng(seed)
    stages = np.array(["onboarding", "active", "at_risk", "churned"])
    plans = np.array(["Starter", "Pro", "Enterprise"])
    start = np.datetime64("2024-01-01")
    with path.open("w", encoding="utf-8", newline="") as handle:
        for offset in range(0, rows, GENERATE_CHUNK):
            n = min(GENERATE_CHUNK, rows - offset)
            ids = np.arange(offset + 1, offset + n + 1)
            begins = start + rng.integers(0, 700, n).astype("timedelta64[D]")
            pd.DataFrame(
                {
                    "external_id": [f"AC-{i:08d}" for i in ids],
                    "name": [f"Account {i}" for i in ids],
                    "unit_type": "company",
                    "company_external_id": [
                        f"CO-{c:07d}" for c in rng.integers(1, companies + 1, n)
                    ],
                    "arr": (rng.lognormal(10, 1.2, n)).round(2),
                    "plan": rng.choice(plans, n),
                    "lifecycle_stage": rng.choice(stages, n),
                    "contract_start_date": begins,
                    "renewal_date": begins + np.timedelta64(365, "D"),
                }
            ).to_csv(handle, index=False, header=offset == 0, date_format="%Y-%m-%d")


def main() -> None:
    """Generate the files, import them, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reimport", action="store_true", help="import the same file again")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cstier-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    companies_csv, accounts_csv = workdir / "companies.csv", workdir / "accounts.csv"
    write_companies(companies_csv, args.companies)
    write_accounts(accounts_csv, args.rows, args.companies)
    size_mb = accounts_csv.stat().st_size / 1e6
    print(f"generated {args.rows:,} accounts ({size_mb:.0f} MB) in {workdir}")

    os.environ["CSTIER_INSTANCE_PATH"] = str(workdir)
    from cstier import create_app
    from cstier.extensions import db
    from cstier.services.imports import ImportRequest, import_file
    from tests.conftest import _reset_schema

    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url})
    _reset_schema(app)
    with app.app_context():
        session = db.session
        import_file(session, ImportRequest("companies", companies_csv, companies_csv.name))
        rounds = ["first import"] + (["re-import (unchanged)"] if args.reimport else [])
        for label in rounds:
            before = peak_rss_mb()
            started = time.perf_counter()
            outcome = import_file(
                session, ImportRequest("accounts", accounts_csv, "accounts.csv", retier=False)
            )
            elapsed = time.perf_counter() - started
            assert outcome.ok, outcome.errors.as_json()[:5]
            print(
                f"{db.engine.dialect.name} {label}: {outcome.rows:,} rows in {elapsed:.2f} s = "
                f"{outcome.rows / elapsed:,.0f} rows/s (created {outcome.created:,}, "
                f"updated {outcome.updated:,}, unchanged {outcome.unchanged:,}); "
                f"peak RSS {peak_rss_mb():.0f} MB (before {before:.0f} MB); "
                f"load average {os.getloadavg()[0]:.2f}"
            )


if __name__ == "__main__":
    main()
