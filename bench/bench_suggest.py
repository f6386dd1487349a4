"""Benchmark owner suggestions: 100,000 unassigned accounts across 200 CSMs (target ≤ 10 s).

Usage: python bench/bench_suggest.py [--accounts 100000] [--csms 200] [--seed 7] [--no-service]

Times the domain suggester on frames, then (unless --no-service) on a fresh SQLite database:
deriving coverage from tiers for the whole book, and the service path (frames from the tables
plus the suggester).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cstier.domain.coverage import DEFAULT_MODELS, suggest_owners

REGIONS = ["EMEA", "AMER", "APAC", "LATAM"]
VERTICALS = ["Software", "Retail", "Finance", "Health", "Media", "Energy", "Logistics", "Public"]
MODEL_SHARE = [0.02, 0.20, 0.78]  # high-touch, pooled, tech-touch accounts
CSM_SHARE = [0.25, 0.40, 0.35]


def models_frame() -> pd.DataFrame:
    """Return the seeded models as the domain frame, ids 1..3."""
    return pd.DataFrame(
        {
            "coverage_model_id": [1, 2, 3],
            "key": [m["key"] for m in DEFAULT_MODELS],
            "name": [m["name"] for m in DEFAULT_MODELS],
            "accounts_per_csm": [m["accounts_per_csm"] for m in DEFAULT_MODELS],
            "arr_per_csm_cents": [float(m["arr_per_csm_cents"] or "nan") for m in DEFAULT_MODELS],
            "hard_limit_pct": [m["hard_limit_pct"] for m in DEFAULT_MODELS],
        }
    )


def synthetic(accounts: int, csms: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (accounts to place, CSMs) with realistic model, region and vertical spreads."""
    rng = np.random.default_rng(seed)
    model = rng.choice([1, 2, 3], size=accounts, p=MODEL_SHARE)
    arr = np.where(model == 1, rng.integers(250_000, 2_000_000, accounts), 0)
    arr = np.where(model == 2, rng.integers(50_000, 250_000, accounts), arr)
    arr = np.where(model == 3, rng.integers(1_000, 50_000, accounts), arr)
    account_frame = pd.DataFrame(
        {
            "account_id": np.arange(1, accounts + 1),
            "coverage_model_id": pd.array(model, dtype="Int64"),
            "region": rng.choice(REGIONS, size=accounts),
            "vertical": rng.choice(VERTICALS, size=accounts),
            "arr_cents": arr.astype("int64") * 100,
            "csm_id": pd.array([None] * accounts, dtype="Int64"),
        }
    )
    csm_model = rng.choice([1, 2, 3], size=csms, p=CSM_SHARE)
    csm_frame = pd.DataFrame(
        {
            "csm_id": np.arange(1, csms + 1),
            "fte": rng.choice([1.0, 1.0, 1.0, 0.5], size=csms),
            "active": True,
            "regions": [list(rng.choice(REGIONS, size=2, replace=False)) for _ in range(csms)],
            "verticals": [
                [] if rng.random() < 0.6 else list(rng.choice(VERTICALS, 3, replace=False))
                for _ in range(csms)
            ],
            "model_ids": [[int(m)] for m in csm_model],
        }
    )
    return account_frame, csm_frame


def bench_domain(accounts: pd.DataFrame, csms: pd.DataFrame) -> pd.DataFrame:
    """Time the pure suggester and report placement."""
    models = models_frame()
    pools = pd.DataFrame({"pool_id": [], "coverage_model_id": [], "member_ids": []})
    book = pd.DataFrame(columns=["account_id", "csm_id", "coverage_model_id", "arr_cents"])
    started = time.perf_counter()
    result = suggest_owners(accounts, csms, models, pools, book)
    elapsed = time.perf_counter() - started
    again = suggest_owners(accounts, csms, models, pools, book)
    placed = int(result["csm_id"].notna().sum())
    print(f"domain suggest_owners: {len(accounts):,} accounts × {len(csms)} CSMs: {elapsed:.2f} s")
    print(
        f"  placed {placed:,}; unplaced {len(result) - placed:,}; deterministic: {result.equals(again)}"
    )
    for reason, count in result.loc[result["csm_id"].isna(), "reason"].value_counts().items():
        print(f"    {count:,}  {reason}")
    return result


def bench_service(accounts: pd.DataFrame, csms: pd.DataFrame) -> None:
    """Load the book into SQLite and time the service path (frames from tables + suggester)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from cstier import create_app
    from cstier.extensions import db
    from cstier.models import Account, Company, CsmProfile, User
    from cstier.services.coverage import suggestions
    from cstier.services.coverage.derive import derive_coverage
    from cstier.services.coverage.seed import ensure_default_coverage
    from cstier.services.tiering.schemes import ensure_default_schemes
    from cstier.store.tier_blocks import store_tiers

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
        with app.app_context():
            upgrade()
            session = db.session
            ensure_default_coverage(session)
            keys = {1: "high_touch", 2: "pooled", 3: "tech_touch"}
            session.execute(
                insert(User),
                [
                    {
                        "id": int(c),
                        "email": f"csm{c}@bench.example",
                        "name": f"CSM {c}",
                        "role": "csm",
                        "active": True,
                        "password_hash": "x",
                    }
                    for c in csms["csm_id"]
                ],
            )
            session.execute(
                insert(CsmProfile),
                [
                    {
                        "user_id": int(r.csm_id),
                        "fte": r.fte,
                        "regions": list(r.regions),
                        "verticals": list(r.verticals),
                        "languages": [],
                        "coverage_model_keys": [keys[m] for m in r.model_ids],
                    }
                    for r in csms.itertuples()
                ],
            )
            pairs = [(r, v) for r in REGIONS for v in VERTICALS]
            session.execute(
                insert(Company),
                [
                    {
                        "id": i + 1,
                        "external_id": f"CO-{i}",
                        "name": f"Co {i}",
                        "region": r,
                        "industry": v,
                    }
                    for i, (r, v) in enumerate(pairs)
                ],
            )
            company = {pair: i + 1 for i, pair in enumerate(pairs)}
            rows = accounts.itertuples()
            session.execute(
                insert(Account),
                [
                    {
                        "id": int(a.account_id),
                        "external_id": f"AC-{a.account_id}",
                        "name": f"Account {a.account_id}",
                        "company_id": company[(a.region, a.vertical)],
                        "arr_cents": int(a.arr_cents),
                        "version": 1,
                        "attributes": {},
                    }
                    for a in rows
                ],
            )
            schemes = {s.dimension: s.id for s in ensure_default_schemes(session)}
            pairs_by_model = {1: ("Strategic", "High"), 2: ("Growth", "Low"), 3: ("Scale", "Low")}
            for position, dimension in enumerate(("value", "needs")):
                tiers = [pairs_by_model[int(m)][position] for m in accounts["coverage_model_id"]]
                store_tiers(session, schemes[dimension], accounts["account_id"].to_numpy(), tiers)
            session.commit()
            started = time.perf_counter()
            summary = derive_coverage(session)
            session.commit()
            print(
                f"service derive_coverage() on SQLite: {summary.accounts:,} accounts, "
                f"{summary.changed:,} changes: {time.perf_counter() - started:.2f} s"
            )
            session.commit()
            started = time.perf_counter()
            proposals = suggestions.propose(session)
            elapsed = time.perf_counter() - started
            placed = int(proposals["csm_id"].notna().sum())
            print(
                f"service propose() on SQLite: {len(proposals):,} open accounts: {elapsed:.2f} s "
                f"({placed:,} placed)"
            )
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    """Parse arguments and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--csms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-service", action="store_true")
    args = parser.parse_args()
    accounts, csms = synthetic(args.accounts, args.csms, args.seed)
    bench_domain(accounts, csms)
    if not args.no_service:
        bench_service(accounts, csms)


if __name__ == "__main__":
    main()
