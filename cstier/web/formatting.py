"""Jinja filters and globals: money, dates, labels."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for

from cstier.domain.attribute_text import attribute_text
from cstier.domain.customer import ACCOUNT_UNITS, CONTACT_ROLES, LIFECYCLE_STAGES
from cstier.domain.permissions import ROLES

STAGE_BADGES = {
    "onboarding": "info",
    "active": "success",
    "at_risk": "warning",
    "churned": "secondary",
}


def money(cents: int | None, compact: bool = False) -> str:
    """Format integer cents as whole currency units, optionally compact (1.2M)."""
    if cents is None:
        return "—"
    units = cents / 100
    if compact:
        for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(units) >= threshold:
                return f"${units / threshold:,.1f}{suffix}"
    return f"${units:,.0f}"


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    """Show a UTC timestamp in the workspace timezone."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def local_iso(text: str | None, tz: str = "UTC") -> str:
    """Show an ISO 8601 UTC time stored as text (report snapshots) in the workspace timezone."""
    return local_time(datetime.fromisoformat(text), tz) if text else "—"


def short_date(value: date | None) -> str:
    """Format a date as YYYY-MM-DD, or a dash."""
    return value.isoformat() if value else "—"


def url_with(**changes) -> str:
    """Return the current URL with some query arguments changed (for sort and paging links)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def url_with_value(name: str, **changes) -> str:
    """Return the current URL with some arguments changed, ending in `name=` for a value to follow.

    A list links each row's value by appending it (urlencoded), rather than building the
    whole URL again for every row.
    """
    base = url_with(**changes, **{name: None})
    return f"{base}{'&' if '?' in base else '?'}{name}="


def register_formatting(app: Flask) -> None:
    """Make the filters and label maps available to every template."""
    app.add_template_filter(money)
    app.add_template_filter(local_time)
    app.add_template_filter(local_iso)
    app.add_template_filter(short_date)
    app.add_template_filter(attribute_text)
    app.add_template_global(url_with)
    app.add_template_global(url_with_value)
    app.jinja_env.globals.update(
        STAGES=LIFECYCLE_STAGES,
        STAGE_BADGES=STAGE_BADGES,
        ROLES=ROLES,
        CONTACT_ROLES=CONTACT_ROLES,
        ACCOUNT_UNITS=ACCOUNT_UNITS,
    )
