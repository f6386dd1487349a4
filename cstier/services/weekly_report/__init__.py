"""The weekly tier-review report: built once per ended week, stored, browsed, downloaded, emailed."""

from cstier.services.weekly_report.build import (
    build_weekly_report,
    gem_thresholds,
    last_ended_week_label,
)
from cstier.services.weekly_report.delivery import (
    SendOutcome,
    WeeklyRun,
    is_subscribed,
    send_weekly_report,
    set_subscription,
    weekly_report_on_demand,
    weekly_review_job,
)
from cstier.services.weekly_report.downloads import download
from cstier.services.weekly_report.reads import get_weekly_report, list_weekly_reports

__all__ = [
    "SendOutcome",
    "WeeklyRun",
    "build_weekly_report",
    "download",
    "gem_thresholds",
    "get_weekly_report",
    "is_subscribed",
    "last_ended_week_label",
    "list_weekly_reports",
    "send_weekly_report",
    "set_subscription",
    "weekly_report_on_demand",
    "weekly_review_job",
]
