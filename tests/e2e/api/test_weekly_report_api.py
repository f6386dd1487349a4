"""The weekly reports over the API: list and content for managers, 403 for CSMs, clear errors."""

from cstier.extensions import db
from cstier.services.weekly_report import build_weekly_report
from tests.e2e.api.conftest import assert_error_shape
from tests.weekly_book import AFTER, week_book  # noqa: F401 - fixture


def test_a_manager_lists_reports_and_reads_one(client, bearer, manager, week_book):  # noqa: F811
    build_weekly_report(db.session, "2026-W02", AFTER)
    headers = bearer(manager)
    listed = client.get("/api/v1/reports/weekly", headers=headers)
    assert listed.status_code == 200
    (summary,) = listed.get_json()
    assert summary["week"] == "2026-W02" and summary["at_risk"] == 1
    assert "content" not in summary
    assert '"total": 1' in listed.headers["X-Pagination"]
    one = client.get("/api/v1/reports/weekly/2026-W02", headers=headers).get_json()
    assert one["content"]["schema_version"] == 1
    assert one["content"]["metrics"]["status"] == "not yet computed"
    assert one["content"]["hidden_gems"]["total"] == 2


def test_a_csm_is_refused(client, bearer, csm, week_book):  # noqa: F811
    build_weekly_report(db.session, "2026-W02", AFTER)
    for path in ("/api/v1/reports/weekly", "/api/v1/reports/weekly/2026-W02"):
        body = assert_error_shape(client.get(path, headers=bearer(csm)), 403)
        assert "whole book" in body["message"]


def test_unknown_and_malformed_weeks(client, bearer, viewer, db_session):
    missing = assert_error_shape(
        client.get("/api/v1/reports/weekly/2026-W03", headers=bearer(viewer)), 404
    )
    assert "No weekly report for 2026-W03" in missing["message"]
    bad = assert_error_shape(
        client.get("/api/v1/reports/weekly/2026-03", headers=bearer(viewer)), 422
    )
    assert "YYYY-Www" in bad["message"]


def test_a_reported_weeks_review_is_stored_for_managers(client, bearer, manager, csm, week_book):  # noqa: F811
    path = "/api/v1/reports/tier-review?week=2026-W02"
    live = client.get(path, headers=bearer(manager)).get_json()
    assert live["weekly_report_built_at"] is None
    build_weekly_report(db.session, "2026-W02", AFTER)
    stored = client.get(path, headers=bearer(manager)).get_json()
    assert stored["weekly_report_built_at"].startswith("2026-01-12T07:00:00")
    same = ("changes", "accounts", "up", "down", "new", "arr_up_cents", "schemes", "top_movers")
    assert {k: stored[k] for k in same} == {k: live[k] for k in same}
    mine = client.get(path, headers=bearer(csm)).get_json()
    assert mine["weekly_report_built_at"] is None and mine["up"] == 1
