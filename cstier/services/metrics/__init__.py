"""Churn and retention per segment: on request, stored monthly, and the churned accounts."""

from cstier.services.metrics.churn import RefreshSummary, churn, refresh_metrics, trend

__all__ = ["RefreshSummary", "churn", "refresh_metrics", "trend"]
