"""Retention over periods: cohort, churn, the MRR bridge, per segment (docs/metrics.md).

Everything is a column operation over the subscriptions: an account's MRR on a day is a
bincount of the subscriptions running that day, and segment sums are bincounts by code.
"""

from typing import Protocol

import numpy as np
import pandas as pd

from cstier.domain.metrics.book import SubscriptionBook
from cstier.domain.metrics.periods import Period, day_number
from cstier.domain.metrics.segments import FixedSegments
from cstier.domain.metrics.sweep import Sweep

# The sums and counts of one period and segment; rates follow from them (rates.py).
FIGURES = (
    "accounts_start",
    "accounts_churned",
    "accounts_new",
    "accounts_reactivated",
    "accounts_passing",
    "mrr_start_cents",
    "mrr_end_cents",
    "churned_cents",
    "contraction_cents",
    "expansion_cents",
    "new_cents",
    "reactivation_cents",
)


class BridgeMismatch(ArithmeticError):
    """The MRR bridge did not reconcile to the cent: a figure would be wrong, so none is shown."""


class Segments(Protocol):
    """Segment names, and each book account's segment code on a day."""

    names: list[str]

    def codes_on(self, day: int) -> np.ndarray: ...


MEMBERS = ("cohort", "churned", "retained", "contracted", "expanded", "new", "reactivated")


def _accounts_in(sweep: Sweep, period: Period, segments: Segments) -> dict:
    """Return per account: start and end MRR, the period's flags, and its segment code."""
    start, end = day_number(period.start), day_number(period.end)
    opening = sweep.at(start)
    if end - start >= 2:
        # Ran on a day strictly inside: started by end − 1, not all ended by start + 1.
        ended_inside = sweep.ends_by(start + 1)
        ran_inside = sweep.starts_by(end - 1) > ended_inside
    else:
        ran_inside = np.zeros(sweep.size, dtype=bool)
    closing = sweep.at(end)
    mrr_start, active_start = opening.mrr, opening.active
    mrr_end, active_end = closing.mrr, closing.active
    arriving = active_end & ~active_start
    reactivated = arriving & (sweep.first_start < start)
    retained = active_start & active_end
    change = np.where(retained, mrr_end - mrr_start, 0)
    return {
        "mrr_start": mrr_start,
        "mrr_end": mrr_end,
        "cohort": active_start,
        "active_end": active_end,
        "churned": active_start & ~active_end,
        "retained": retained,
        "contracted": change < 0,
        "expanded": change > 0,
        "new": arriving & ~reactivated,
        "reactivated": reactivated,
        "passing": ran_inside & ~active_start & ~active_end,
        "change": change,
        # Cohort accounts stay in their start segment; arrivals count where they are at the end.
        "segment": np.where(arriving, segments.codes_on(end), segments.codes_on(start)),
    }


def period_figures(sweep: Sweep, period: Period, segments: Segments) -> pd.DataFrame:
    """Return one row of FIGURES per segment with an account in the period, reconciled."""
    accounts = _accounts_in(sweep, period, segments)
    segment, size = accounts["segment"], len(segments.names)
    mrr_start, mrr_end, change = accounts["mrr_start"], accounts["mrr_end"], accounts["change"]

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(segment, weights=values, minlength=size).round().astype(np.int64)

    figures = pd.DataFrame(
        {
            "segment": segments.names,
            "accounts_start": total(accounts["cohort"]),
            "accounts_churned": total(accounts["churned"]),
            "accounts_new": total(accounts["new"]),
            "accounts_reactivated": total(accounts["reactivated"]),
            "accounts_passing": total(accounts["passing"]),
            "mrr_start_cents": total(np.where(accounts["cohort"], mrr_start, 0)),
            "mrr_end_cents": total(np.where(accounts["retained"], mrr_end, 0)),
            "churned_cents": total(np.where(accounts["churned"], mrr_start, 0)),
            "contraction_cents": total(np.maximum(-change, 0)),
            "expansion_cents": total(np.maximum(change, 0)),
            "new_cents": total(np.where(accounts["new"], mrr_end, 0)),
            "reactivation_cents": total(np.where(accounts["reactivated"], mrr_end, 0)),
        }
    )
    closing = total(np.where(accounts["active_end"], mrr_end, 0))
    check_bridge(figures, closing, period)
    counted = figures[list(FIGURES[:5])].sum(axis=1) > 0
    return figures[counted].reset_index(drop=True)


def members(
    book: SubscriptionBook, period: Period, segments: Segments, measure: str, segment: str | None
) -> pd.DataFrame:
    """Return account_id, segment, mrr_start_cents, mrr_end_cents of the accounts behind a figure."""
    accounts = _accounts_in(Sweep(book), period, segments)
    chosen = accounts[measure].copy()
    if segment is not None:
        code = segments.names.index(segment) if segment in segments.names else -1
        chosen &= accounts["segment"] == code
    return pd.DataFrame(
        {
            "account_id": book.accounts[chosen],
            "segment": np.asarray(segments.names, dtype=object)[accounts["segment"][chosen]],
            "mrr_start_cents": accounts["mrr_start"][chosen],
            "mrr_end_cents": accounts["mrr_end"][chosen],
        }
    )


def cohort_outcomes(sweep: Sweep, period: Period) -> pd.DataFrame:
    """Return the period's cohort (account_id) and whether each account churned in it."""
    whole_book = FixedSegments(["Total"], np.zeros(sweep.size, dtype=np.int64))
    accounts = _accounts_in(sweep, period, whole_book)
    cohort = accounts["cohort"]
    return pd.DataFrame(
        {"account_id": sweep.accounts[cohort], "churned": accounts["churned"][cohort]}
    )


def check_bridge(figures: pd.DataFrame, closing: np.ndarray, period: Period) -> None:
    """Raise BridgeMismatch unless start + new + expansion + reactivation − contraction − churned = end."""
    bridged = (
        figures["mrr_start_cents"]
        + figures["new_cents"]
        + figures["expansion_cents"]
        + figures["reactivation_cents"]
        - figures["contraction_cents"]
        - figures["churned_cents"]
    ).to_numpy()
    wrong = bridged != closing
    if wrong.any():
        at = int(np.argmax(wrong))
        raise BridgeMismatch(
            f"the MRR bridge of {period.label}, segment {figures['segment'][at]!r}, does not "
            f"reconcile: {bridged[at]} cents bridged, {closing[at]} cents closing"
        )


def retention(book: SubscriptionBook, periods: list[Period], segments: Segments) -> pd.DataFrame:
    """Return FIGURES per period and segment: period_start, period_end, segment, figures."""
    parts = []
    sweep = Sweep(book)
    for period in sorted(periods):
        figures = period_figures(sweep, period, segments)
        figures.insert(0, "period_end", period.end)
        figures.insert(0, "period_start", period.start)
        parts.append(figures)
    if not parts:
        return pd.DataFrame(columns=["period_start", "period_end", "segment", *FIGURES])
    return pd.concat(parts, ignore_index=True)
