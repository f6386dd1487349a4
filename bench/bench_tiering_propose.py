"""Time the in-memory part of a tiering run (propose + staging) on synthetic accounts.

Per default scheme: evaluate without explanations, hysteresis, overrides (none), the
diff against current tiers shaped like `read_current_tiers` returns them (grouped by
tier, categorical tier, ~5 % of them different), then what `_stage` does with the
changes (their explanations included). No database.

Run: .venv/bin/python bench/bench_tiering_propose.py [rows] [repeats]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_tiering_domain import synthetic_accounts  # noqa: E402
from cstier.domain.tiering import (  # noqa: E402
    DEFAULT_FIELDS,
    DEFAULT_SCHEMES,
    apply_hysteresis,
    apply_overrides,
    diff_tiers,
    evaluate,
    parse_scheme,
)
from cstier.services.tiering.run import SchemeOutcome, _stage  # noqa: E402
from cstier.store.sizes import BatchSizes  # noqa: E402

NOW = pd.Timestamp("2025-01-01", tz="UTC")
CHANGED_SHARE = 0.05


class CountingBatch:
    """Stand in for ChangeBatch: take the staged lists and count them."""

    def __init__(self) -> None:
        self.rows = 0

    def add(self, scheme, version, account_ids, *columns) -> None:
        self.rows += len(account_ids)


def book(rows: int) -> pd.DataFrame:
    """Return synthetic accounts typed like `load_book`: ids from 1, text as categories."""
    accounts = synthetic_accounts(rows)
    accounts["account_id"] = np.arange(1, rows + 1, dtype=np.int64)
    for name, kind in DEFAULT_FIELDS.items():
        if kind == "text":
            accounts[name] = accounts[name].astype("category")
    return accounts


def current_tiers(result: pd.DataFrame, tiers: tuple[str, ...], seed: int) -> pd.DataFrame:
    """Return stored tiers the way the database hands them back, some of them different."""
    rng = np.random.default_rng(seed)
    stored = result["tier"].to_numpy(object).copy()
    moved = rng.random(len(stored)) < CHANGED_SHARE
    stored[moved] = np.array(tiers, dtype=object)[rng.integers(0, len(tiers), moved.sum())]
    frame = pd.DataFrame({"account_id": result["account_id"].to_numpy(), "tier": stored})
    # One id list per tier, as read_current_tiers builds it.
    parts = [group for _, group in frame.groupby("tier", sort=False)]
    frame = pd.concat(parts, ignore_index=True)
    frame["tier"] = frame["tier"].astype("category")
    return frame


def no_overrides() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": np.array([], np.int64),
            "tier": np.array([], object),
            "reason": np.array([], object),
            "expires_at": pd.to_datetime([]),
        }
    )


def propose(parsed, accounts: pd.DataFrame, current: pd.DataFrame) -> SchemeOutcome:
    """Do what services.tiering.run.propose does, minus the database."""
    result = evaluate(parsed, accounts, explain=False)
    if parsed.hysteresis is not None and not current.empty:
        result = apply_hysteresis(result, current, parsed)
    result = apply_overrides(result, no_overrides(), NOW)
    changes = diff_tiers(current[["account_id", "tier"]], result[["account_id", "tier"]])
    return SchemeOutcome(None, 1, result, changes, current, parsed, accounts)


def main(rows: int, repeats: int) -> None:
    """Build the book and current tiers once, then time propose and staging per scheme."""
    accounts = book(rows)
    schemes = [parse_scheme(definition, DEFAULT_FIELDS) for definition in DEFAULT_SCHEMES]
    currents = [
        current_tiers(evaluate(s, accounts, explain=False), s.tiers, seed=i)
        for i, s in enumerate(schemes)
    ]
    for attempt in range(1, repeats + 1):
        totals = {"propose": 0.0, "stage": 0.0}
        changes = 0
        for scheme, current in zip(schemes, currents, strict=True):
            started = time.perf_counter()
            outcome = propose(scheme, accounts, current)
            proposed = time.perf_counter()
            batch = CountingBatch()
            _stage(batch, outcome, BatchSizes().move_chunk_rows)
            staged = time.perf_counter()
            totals["propose"] += proposed - started
            totals["stage"] += staged - proposed
            changes += batch.rows
        print(
            f"run {attempt}: propose {totals['propose']:.3f} s  stage {totals['stage']:.3f} s  "
            f"total {sum(totals.values()):.3f} s  ({changes:,} changes over {rows:,} accounts)"
        )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
