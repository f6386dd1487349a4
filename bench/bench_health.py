"""Time health scoring for a book: the domain over 1,000,000 accounts, or the whole service.

Usage:
  python bench/bench_health.py [--accounts 1000000] [--repeat 3]
  python bench/bench_health.py --database-url URL [--repeat 1]

Without a URL the script builds the eight inputs of the default scorecard for `--accounts`
accounts (a tenth of each missing) and times the pure domain: points, shared-out weights,
coverage, bands with hysteresis against a previous day, overrides and each measure's values
packed for storage, as `score_accounts` runs them. With a URL it times `score_day` end to end on
that database (reading the inputs, scoring, writing a day of scores), then rolls back.
The best of `--repeat` runs is reported.
"""

from __future__ import annotations

import argparse
import time
from datetime import date


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


def main() -> None:
    """Parse arguments and run the chosen benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.database_url:
        bench_service(args.database_url, args.repeat)
    else:
        bench_domain(args.accounts, args.repeat)


if __name__ == "__main__":
    main()
