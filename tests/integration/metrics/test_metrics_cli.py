"""`cstier metrics`: the same numbers as the service, as text, JSON and CSV; bad input refused."""

import csv
import io
import json

from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import MetricResult
from tests.integration.metrics.test_churn_service import JANUARY_TOTAL

PERIOD = ["--start", "2026-01-01", "--end", "2026-02-01"]


def test_churn_as_json_is_the_api_shape(runner, book):
    result = runner.invoke(
        args=["metrics", "churn", *PERIOD, "--by", "value_tiers", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["total"] == JANUARY_TOTAL and report["by"] == "value_tiers"
    assert {s["segment"] for s in report["segments"]} == {"Strategic", "Growth", "Scale", "(none)"}


def test_churn_as_csv_and_text(runner, book):
    result = runner.invoke(args=["metrics", "churn", *PERIOD, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[-1]["segment"] == "Total" and rows[-1]["bridge_end"] == "66000"
    text = runner.invoke(args=["metrics", "churn", *PERIOD]).output
    assert "33.3 %" in text and "79.4 %" in text and "= end 660.00" in text


def test_bad_input_is_refused_naming_the_field(runner, book):
    unknown = runner.invoke(args=["metrics", "churn", *PERIOD, "--by", "colour"])
    assert unknown.exit_code == 1
    assert "by: unknown field 'colour'; valid fields are company_size" in unknown.output
    assert "value_tiers" in unknown.output and "lifecycle_stage" in unknown.output
    backwards = runner.invoke(
        args=["metrics", "churn", "--start", "2026-02-01", "--end", "2026-01-01"]
    )
    assert "end: the period's end 2026-01-01 is not after its start 2026-02-01" in backwards.output
    assert (
        "not a date"
        in runner.invoke(args=["metrics", "churn", "--start", "x", "--end", "y"]).output
    )


def test_refresh_then_trend_reads_the_stored_figures(runner, book):
    refreshed = runner.invoke(args=["metrics", "refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "accounts churned" in refreshed.output
    assert db.session.scalar(select(func.count()).select_from(MetricResult)) > 0
    result = runner.invoke(args=["metrics", "trend", "--periods", "24", "--format", "json"])
    series = json.loads(result.output)
    assert len(series["periods"]) == 24 and series["computed_at"] is not None
