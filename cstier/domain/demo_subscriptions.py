"""Generate two years of a demo book's subscriptions: new, expansion, contraction, churn, return."""

from datetime import date

import numpy as np
import pandas as pd

from cstier.domain.demo_draw import external_ids, text_column, window_days

HISTORY_DAYS = 730  # two years of subscription history: 24 monthly periods to measure
EXPANSION_SHARE, CONTRACTION_SHARE, REACTIVATION_SHARE = 0.3, 0.12, 0.05


def generate_subscriptions(
    rng: np.random.Generator, accounts: pd.DataFrame, churned: np.ndarray, as_of: date
) -> pd.DataFrame:
    """Generate 24 months of subscriptions: a core plan per account, add-ons won and lost,
    churned accounts' plans ending, and a few accounts leaving and coming back.

    `churned` marks the accounts whose plans ended. Core MRR is the ARR field ÷ 12, so
    current ARR starts near the imported figure.
    """
    today = np.datetime64(as_of, "D")
    window = today - np.timedelta64(HISTORY_DAYS, "D")
    n = len(accounts)
    ids = accounts["id"].to_numpy()
    start = accounts["contract_start_date"].to_numpy().astype("datetime64[D]")
    core_mrr = accounts["arr_cents"].to_numpy() // 12
    u = rng.random(n)
    settled = ~churned & (start < window + np.timedelta64(200, "D"))
    returning = settled & (u < REACTIVATION_SHARE)
    # A churned account's plan ended in the window; a returning one's paused and restarted.
    core_end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended_from = np.maximum(start + np.timedelta64(30, "D"), window)
    core_end[churned] = window_days(rng, ended_from, np.maximum(ended_from + 1, today))[churned]
    gap_start = window_days(rng, np.maximum(start, window), today - np.timedelta64(150, "D"))
    gap_end = gap_start + rng.integers(35, 120, n).astype("m8[D]")
    core_start = np.where(returning, gap_end, start)
    rows = [
        (ids, "Core", core_start, core_end, core_mrr),
        (ids[returning], "Core (before a pause)", start[returning], gap_start[returning],
         core_mrr[returning]),
    ]  # fmt: skip
    open_ = ~churned & (rng.random(n) < EXPANSION_SHARE)
    added = window_days(rng, np.maximum(core_start + 1, window), today)
    rows.append((ids[open_], "Add-on", added[open_], np.full(int(open_.sum()), np.datetime64("NaT"),
                 dtype="datetime64[D]"), (core_mrr * rng.uniform(0.1, 0.4, n)).astype(np.int64)[open_]))  # fmt: skip
    lost = ~churned & ~returning & (rng.random(n) < CONTRACTION_SHARE)
    dropped = window_days(rng, np.maximum(start + 1, window), today)
    rows.append((ids[lost], "Legacy add-on", start[lost], dropped[lost],
                 (core_mrr * rng.uniform(0.1, 0.3, n)).astype(np.int64)[lost]))  # fmt: skip
    frame = pd.DataFrame(
        {
            "account_id": np.concatenate([r[0] for r in rows]),
            "product": text_column(
                np.concatenate([np.full(len(r[0]), r[1], dtype=object) for r in rows])
            ),
            "start_date": np.concatenate([r[2] for r in rows]),
            "end_date": np.concatenate([r[3] for r in rows]),
            "mrr_cents": np.concatenate([r[4] for r in rows]).astype(np.int64),
        }
    )
    frame = frame.sort_values(["account_id", "start_date"], kind="stable").reset_index(drop=True)
    sub_ids = np.arange(1, len(frame) + 1)
    frame.insert(0, "external_id", external_ids("demo-su-", sub_ids))
    frame.insert(0, "id", sub_ids)
    frame["quantity"] = 1
    return frame
