"""Build the weekly report of one ended ISO week, once: later calls return the stored snapshot."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.reports import InvalidWeek, parse_week, week_label
from cstier.domain.reports.hidden_gems import GemThresholds
from cstier.domain.reports.local_weeks import check_week_ended, last_ended_week, zone
from cstier.domain.reports.tier_review import review_to_stored
from cstier.domain.reports.weekly_content import (
    NOT_AVAILABLE,
    SCHEMA_VERSION,
    figure,
    figure_values,
)
from cstier.models import WeeklyReport
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import ValidationFailed
from cstier.services.reports import as_utc, movement_between, scheme_tiers
from cstier.services.unit_of_work import unit_of_work
from cstier.services.weekly_report import sections
from cstier.services.weekly_report.gems import gem_frame
from cstier.services.weekly_report.health import HEALTH_SIGNAL
from cstier.services.weekly_report.metrics import metrics_section
from cstier.services.workspace import read_workspace

THRESHOLD_KEYS = {
    "arr_share": ("HIDDEN_GEM_ARR_SHARE", float),
    "usage_growth": ("HIDDEN_GEM_USAGE_GROWTH", float),
    "usage_periods": ("HIDDEN_GEM_USAGE_PERIODS", int),
    "needs_top_share": ("HIDDEN_GEM_NEEDS_TOP_SHARE", float),
    "expansion_days": ("HIDDEN_GEM_EXPANSION_DAYS", int),
}


def gem_thresholds(config: Mapping) -> GemThresholds:
    """Return the hidden-gem thresholds the app's configuration sets, the defaults elsewhere."""
    given = {
        name: kind(config[key]) for name, (key, kind) in THRESHOLD_KEYS.items() if key in config
    }
    return GemThresholds(**given)


def last_ended_week_label(session: Session, now: datetime) -> str:
    """Return the label of the last week that has ended at `now` in the workspace's timezone."""
    return week_label(last_ended_week(as_utc(now), read_workspace(session).timezone))


def stored_report(session: Session, week: str) -> WeeklyReport | None:
    """Return the stored report of a week label, if it was built."""
    return session.scalar(select(WeeklyReport).where(WeeklyReport.week == week))


def build_weekly_report(
    session: Session, week: str, now: datetime, thresholds: GemThresholds = GemThresholds()
) -> WeeklyReport:
    """Build and store the report of an ended week (YYYY-Www), or return the one stored."""
    now = as_utc(now)
    try:
        monday = parse_week(week)
    except InvalidWeek as exc:
        raise ValidationFailed(str(exc), {"week": [str(exc)]}) from exc
    label = week_label(monday)
    stored = stored_report(session, label)
    if stored is not None:
        return stored
    timezone = read_workspace(session).timezone
    try:
        starts_at, ends_at = check_week_ended(monday, timezone, now)
    except InvalidWeek as exc:
        raise ValidationFailed(str(exc), {"week": [str(exc)]}) from exc
    content = weekly_content(session, label, timezone, starts_at, ends_at, now, thresholds)
    report = WeeklyReport(
        week=label,
        timezone=timezone,
        starts_at=starts_at,
        ends_at=ends_at,
        built_at=now,
        schema_version=SCHEMA_VERSION,
        content=content,
        accounts_up=content["review"]["up"],
        accounts_down=content["review"]["down"],
        needs_owner=content["needs_owner"]["total"],
        at_risk=content["at_risk"]["total"],
        hidden_gems=content["hidden_gems"]["total"],
    )
    try:
        with unit_of_work(session):
            session.add(report)
            session.flush()  # a concurrent builder's row fails here, inside the rollback
    except IntegrityError:
        # Another builder stored the week first: theirs is the snapshot.
        return stored_report(session, label)
    return report


def weekly_content(
    session: Session,
    week: str,
    timezone: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    thresholds: GemThresholds,
) -> dict:
    """Return the report's content document: every section, figures beside last week's."""
    schemes = scheme_tiers(session)
    review = movement_between(session, SYSTEM_ACTOR, starts_at, ends_at, schemes)
    value_id = active_scheme_id(session, "value")
    capacity = sections.capacity_section(session)
    needs_owner = sections.needs_owner_section(session)
    handoffs = sections.open_handoffs_section(session, ends_at)
    at_risk = sections.at_risk_section(
        session, schemes.get(value_id), starts_at, ends_at, HEALTH_SIGNAL
    )
    gems = gems_section(session, ends_at, timezone, thresholds)
    expiring = sections.expiring_section(session, ends_at, schemes)
    previous = stored_report(session, week_label(parse_week(week) - timedelta(days=7)))
    before = figure_values(previous.content.get("headline", [])) if previous else {}
    local = zone(timezone)
    value_scheme = schemes.get(value_id)
    metrics = metrics_section(
        session,
        value_id,
        value_scheme.tiers if value_scheme else (),
        ends_at.astimezone(local).date(),
        (ends_at - timedelta(microseconds=1)).astimezone(local).date(),
        previous.content.get("metrics") if previous else None,
    )
    headline = [
        figure("accounts_up", "Accounts moved up", review.up, before),
        figure("accounts_down", "Accounts moved down", review.down, before),
        figure("arr_up_cents", "ARR moved up (cents)", review.arr_up_cents, before),
        figure("arr_down_cents", "ARR moved down (cents)", review.arr_down_cents, before),
        figure("needs_owner", "Accounts needing a new owner", needs_owner["total"], before),
        figure("open_handoffs", "Open handoffs", handoffs["total"], before),
        figure(
            "csms_over_capacity",
            "CSMs over capacity",
            sum(1 for c in capacity["csms"] if c["over_capacity"]),
            before,
        ),
        figure("at_risk", "High-value accounts at risk", at_risk["total"], before),
        figure("hidden_gems", "Hidden gems", gems["total"], before),
        figure("expiring_overrides", "Overrides expiring within 7 days", expiring["total"], before),
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "week": week,
        "timezone": timezone,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "built_at": now.isoformat(),
        "previous_week": previous.week if previous else None,
        "headline": headline,
        "review": review_to_stored(review),
        "needs_owner": needs_owner,
        "open_handoffs": handoffs,
        "capacity": capacity,
        "at_risk": at_risk,
        "hidden_gems": gems,
        "expiring_overrides": expiring,
        "metrics": metrics,
    }


def gems_section(
    session: Session, ends_at: datetime, timezone: str, thresholds: GemThresholds
) -> dict:
    """Return the hidden gems as of the week's last local day, each with its signals."""
    last_day = (ends_at - timedelta(microseconds=1)).astimezone(zone(timezone)).date()
    gems, needs_available = gem_frame(session, last_day, thresholds)
    listed = gems.head(sections.SECTION_ROWS)
    names = sections.account_names(session, [int(i) for i in listed["account_id"]])
    return {
        "thresholds": thresholds.as_dict(),
        "needs_score": "available" if needs_available else NOT_AVAILABLE,
        "total": len(gems),
        "accounts": [
            {
                "account_id": int(row.account_id),
                "account_name": names.get(int(row.account_id)),
                "arr_cents": int(row.arr_cents),
                "signals": list(row.signals),
            }
            for row in listed.itertuples()
        ],
    }
