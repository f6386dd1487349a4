"""Time the pure tiering engine on 1,000,000 synthetic accounts.

Run: .venv/bin/python bench/bench_tiering_domain.py [rows]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from cstier.domain.tiering import (
    DEFAULT_FIELDS,
    apply_hysteresis,
    diff_tiers,
    evaluate,
    movement_matrix,
    parse_scheme,
)
from cstier.domain.tiering.defaults import NEEDS_TIERS, SIZE_SEGMENTS, VALUE_TIERS

PERCENTILES = {
    "dimension": "value",
    "method": "percentiles",
    "percentiles": [
        {"tier": "Strategic", "share": 10},
        {"tier": "Growth", "share": 30},
        {"tier": "Scale", "share": 60},
    ],
    "expansion": {"field": "expansion_potential", "weight": 0.5},
    "strategic_flag": {"field": "is_strategic"},
}

RULES = {
    "dimension": "segment",
    "method": "rules",
    "rules": [
        {
            "name": "EMEA enterprise",
            "tier": "Enterprise EMEA",
            "conditions": [
                {"field": "region", "op": "=", "value": "EMEA"},
                {"field": "employees", "op": "≥", "value": 2000},
            ],
        },
        {
            "name": "Tech",
            "tier": "Tech",
            "match": "any",
            "conditions": [
                {"field": "industry", "op": "in", "value": ["Software", "Internet"]},
                {"field": "attr.tech_stack", "op": "contains", "value": "salesforce"},
            ],
        },
    ],
    "default": "Other",
}


def synthetic_accounts(rows: int, seed: int = 7) -> pd.DataFrame:
    """Return realistic-looking accounts: lognormal ARR in whole units, some gaps."""
    rng = np.random.default_rng(seed)

    def gaps(values: np.ndarray, share: float) -> np.ndarray:
        values = values.astype(float)
        values[rng.random(rows) < share] = np.nan
        return values

    industries = np.array(["Software", "Retail", "Healthcare", "Manufacturing", "Internet"])
    stacks = np.array(["Salesforce, Slack", "HubSpot", "Zendesk, Salesforce", "Jira"])
    return pd.DataFrame(
        {
            "account_id": np.arange(rows),
            "arr": np.rint(rng.lognormal(10.5, 1.4, rows)),
            "expansion_potential": gaps(rng.random(rows).round(2), 0.2),
            "is_strategic": rng.random(rows) < 0.01,
            "validated_need_count": gaps(rng.integers(0, 6, rows), 0.1),
            "onboarding_complexity": pd.Series(
                np.array(["low", "medium", "high"])[rng.integers(0, 3, rows)], dtype="str"
            ),
            "product_count": rng.integers(1, 6, rows).astype(float),
            "seats": gaps(rng.integers(1, 2000, rows), 0.05),
            "support_tickets_per_month": gaps(rng.poisson(3, rows), 0.3),
            "employees": gaps(rng.lognormal(5.5, 1.8, rows).round(), 0.02),
            "region": pd.Series(
                np.array(["NA", "EMEA", "APAC", "LATAM"])[rng.integers(0, 4, rows)], dtype="str"
            ),
            "industry": pd.Series(industries[rng.integers(0, 5, rows)], dtype="str"),
            "attr.tech_stack": pd.Series(stacks[rng.integers(0, 4, rows)], dtype="str"),
        }
    )


def timed(label: str, action):
    """Run action once, print its wall time, and return its result."""
    started = time.perf_counter()
    result = action()
    print(f"{label:<34} {time.perf_counter() - started:7.3f} s")
    return result


def main(rows: int) -> None:
    """Generate the accounts, then time each scheme and the post-processing steps."""
    fields = {**DEFAULT_FIELDS, "attr.tech_stack": "text"}
    accounts = timed(f"generate {rows:,} rows", lambda: synthetic_accounts(rows))
    schemes = {
        "value bands": parse_scheme(VALUE_TIERS, fields),
        "value percentiles (+expansion, flag)": parse_scheme(PERCENTILES, fields),
        "needs score": parse_scheme(NEEDS_TIERS, fields),
        "segment rules (size)": parse_scheme(SIZE_SEGMENTS, fields),
        "segment rules (and/any, contains)": parse_scheme(RULES, fields),
    }
    results = {name: timed(name, lambda s=s: evaluate(s, accounts)) for name, s in schemes.items()}
    core = ("value bands", "needs score", "segment rules (size)")
    started = time.perf_counter()
    for name in core:
        evaluate(schemes[name], accounts)
    print(f"{'TOTAL value + needs + segment':<34} {time.perf_counter() - started:7.3f} s")

    bands = results["value bands"]
    shifted = accounts.assign(arr=accounts["arr"] * 1.04)
    proposed = evaluate(schemes["value bands"], shifted)
    current = bands[["account_id", "tier"]]
    timed(
        "hysteresis (5 % margin)",
        lambda: apply_hysteresis(proposed, current, schemes["value bands"]),
    )
    diff = timed("diff_tiers", lambda: diff_tiers(current, proposed))
    arr = accounts.set_index("account_id")["arr"]
    timed(f"movement_matrix ({len(diff):,} moves)", lambda: movement_matrix(diff, arr))
    print(bands["explanation"].iloc[0], "|", results["needs score"]["explanation"].iloc[0])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
