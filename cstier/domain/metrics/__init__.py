"""Churn and retention per segment: periods, the subscription book, the engine, the rates."""

from cstier.domain.metrics.book import InvalidSubscriptions, SubscriptionBook, subscription_book
from cstier.domain.metrics.periods import InvalidPeriod, Period
from cstier.domain.metrics.report import churn_report, segment_report, total_figures
from cstier.domain.metrics.retention import FIGURES, BridgeMismatch, period_figures, retention
from cstier.domain.metrics.segments import NONE, fixed_segments, one_segment, segment_history

__all__ = [
    "FIGURES",
    "NONE",
    "BridgeMismatch",
    "InvalidPeriod",
    "InvalidSubscriptions",
    "Period",
    "SubscriptionBook",
    "churn_report",
    "fixed_segments",
    "one_segment",
    "period_figures",
    "retention",
    "segment_history",
    "segment_report",
    "subscription_book",
    "total_figures",
]
