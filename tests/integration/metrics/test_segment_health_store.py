"""The segment health page reads the period and the trend from the store in one read, same figures."""

from datetime import date

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.services.metrics import refresh_metrics
from cstier.services.metrics.segment_health import segment_health
from tests.integration.metrics.conftest import FEB, JAN, NOW

TODAY = NOW.date()


def figures(page) -> tuple[dict, dict]:
    """Return the page's report and trend without when they were computed."""
    report = {k: v for k, v in page.report.items() if k != "computed_at"}
    series = {k: v for k, v in page.series.items() if k != "computed_at"}
    return report, series


@pytest.mark.parametrize("by", ["total", "value_tiers", "csm", "coverage_model"])
def test_stored_page_shows_the_figures_computed_on_request(book, by):
    computed = segment_health(db.session, SYSTEM_ACTOR, by, today=TODAY)
    assert computed.computed_at is None and computed.report["computed_at"] is None

    refresh_metrics(db.session, NOW)
    stored = segment_health(db.session, SYSTEM_ACTOR, by, today=TODAY)

    assert stored.computed_at is not None
    assert stored.report["computed_at"] == stored.series["computed_at"]
    assert (stored.start, stored.end) == (FEB, date(2026, 3, 1))
    assert figures(stored) == figures(computed)
    assert stored.chart == computed.chart and stored.headlines == computed.headlines


def test_a_stored_month_inside_the_trend_reads_from_the_store(book):
    computed = segment_health(db.session, SYSTEM_ACTOR, "value_tiers", JAN, FEB, today=TODAY)
    refresh_metrics(db.session, NOW)
    january = segment_health(db.session, SYSTEM_ACTOR, "value_tiers", JAN, FEB, today=TODAY)
    assert computed.computed_at is None and january.computed_at is not None
    assert january.report["start"] == JAN.isoformat()
    assert figures(january) == figures(computed)


def test_a_period_not_stored_or_a_csm_is_computed_on_request(book, csm):
    refresh_metrics(db.session, NOW)
    custom = segment_health(db.session, SYSTEM_ACTOR, "value_tiers", JAN, date(2026, 1, 20), TODAY)
    assert custom.computed_at is None and custom.series["computed_at"] is not None
    mine = segment_health(db.session, Actor(csm.id, "csm"), "value_tiers", today=TODAY)
    assert mine.computed_at is None and mine.series["computed_at"] is None
