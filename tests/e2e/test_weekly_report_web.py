"""Weekly report pages over HTTP: list, one report, downloads, the email setting, CSMs refused."""

import csv
import io
import zipfile
from datetime import timedelta

from openpyxl import load_workbook

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.services.week_review import store_week_reviews
from cstier.services.weekly_report import build_weekly_report, is_subscribed
from cstier.store.book_marks import writes_are_marked
from tests.weekly_book import AFTER, MONDAY, record_change, week_book  # noqa: F401 - fixture


def built() -> None:
    build_weekly_report(db.session, "2026-W02", AFTER)


def test_the_list_links_each_week_and_says_when_there_is_none(client, auth, manager, week_book):  # noqa: F811
    auth.login(manager.email)
    empty = client.get("/reports/weekly/").get_data(as_text=True)
    assert "No weekly report yet" in empty
    built()
    html = client.get("/reports/weekly/").get_data(as_text=True)
    assert 'href="/reports/weekly/2026-W02"' in html and 'id="subscription-form"' in html


def test_a_report_page_shows_every_section_escaped_with_charts(client, auth, viewer, week_book):  # noqa: F811
    built()
    auth.login(viewer.email)
    response = client.get("/reports/weekly/2026-W02")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Weekly report · 2026-W02" in html and "2026-01-05 00:00 – 2026-01-12 00:00 (UTC)" in html
    )
    assert 'id="moves-chart"' in html and 'id="load-chart"' in html
    assert "/static/vendor/chart.umd.min.js" in html
    for text in ("Fallen Star", "fell from Strategic to Growth this week", "Gem Co",
                 "usage seats_used up 40% over 3 periods", "Flagged Co", "Health scores are not available yet: no account has been scored by the end of the week.",
                 "Metrics: not yet computed."):  # fmt: skip
        assert text in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert 'id="subscription-form"' not in client.get("/reports/weekly/").get_data(as_text=True)


def test_an_unknown_or_malformed_week(client, auth, viewer, db_session):
    auth.login(viewer.email)
    missing = client.get("/reports/weekly/2026-W03")
    assert missing.status_code == 404
    assert "No weekly report for 2026-W03" in missing.get_data(as_text=True)
    bad = client.get("/reports/weekly/2026-03")
    assert bad.status_code == 400 and "YYYY-Www" in bad.get_data(as_text=True)


def test_a_csm_cannot_see_the_whole_books_report(client, auth, csm, week_book):  # noqa: F811
    built()
    auth.login(csm.email)
    for path in (
        "/reports/weekly/",
        "/reports/weekly/2026-W02",
        "/reports/weekly/2026-W02/download.csv",
    ):
        response = client.get(path)
        assert response.status_code == 403 and "whole book" in response.get_data(as_text=True)
    assert "Weekly reports" not in client.get("/reports/tier-review").get_data(as_text=True)


def test_the_csv_download_is_a_zip_of_one_file_per_section(client, auth, manager, week_book):  # noqa: F811
    built()
    auth.login(manager.email)
    response = client.get("/reports/weekly/2026-W02/download.csv")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="weekly-report-2026-W02.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "weekly-report-2026-W02-hidden_gems.csv" in archive.namelist()
    gems = list(
        csv.DictReader(
            io.StringIO(archive.read("weekly-report-2026-W02-hidden_gems.csv").decode("utf-8-sig"))
        )
    )
    assert {g["account_name"]: g["signals"] for g in gems}[
        "Gem Co"
    ] == "usage seats_used up 40% over 3 periods"
    risk = list(
        csv.DictReader(
            io.StringIO(archive.read("weekly-report-2026-W02-at_risk.csv").decode("utf-8-sig"))
        )
    )
    assert [r["account_name"] for r in risk] == ["Fallen Star"]


def test_the_xlsx_download_has_a_sheet_per_section(client, auth, manager, week_book):  # noqa: F811
    built()
    auth.login(manager.email)
    response = client.get("/reports/weekly/2026-W02/download.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert {
        "headline",
        "tier_moves",
        "needs_owner",
        "capacity_csms",
        "hidden_gems",
        "metrics",
    } <= set(book.sheetnames)
    rows = list(book["needs_owner"].iter_rows(values_only=True))
    header = rows[0]
    assert dict(zip(header, rows[1], strict=True))["suggested_owner"] == "Cleo CSM"
    moves = list(book["tier_moves"].iter_rows(values_only=True))
    assert len(moves) == 3  # header, Strategic → Growth, Growth → Strategic
    assert client.get("/reports/weekly/2026-W02/download.pdf").status_code == 404


def test_a_manager_turns_the_email_on_and_off(client, auth, manager, db_session):
    auth.login(manager.email)
    page = client.get("/reports/weekly/").get_data(as_text=True)
    assert "Email me the weekly report" in page
    response = client.post(
        "/reports/weekly/subscription", data={"subscribed": "y"}, follow_redirects=True
    )
    assert "You will get the weekly report by email." in response.get_data(as_text=True)
    assert is_subscribed(db.session, Actor(manager.id, "cs_manager"))
    client.post("/reports/weekly/subscription", data={})
    assert not is_subscribed(db.session, Actor(manager.id, "cs_manager"))


def test_a_viewer_cannot_subscribe(client, auth, viewer, db_session):
    auth.login(viewer.email)
    response = client.post("/reports/weekly/subscription", data={"subscribed": "y"})
    assert response.status_code == 403


def test_a_manager_builds_a_weeks_report_now_as_a_background_job(
    app,
    client,
    auth,
    manager,
    week_book,  # noqa: F811
):
    from tests.queue import work_queue

    auth.login(manager.email)
    assert 'id="build-form"' in client.get("/reports/weekly/").get_data(as_text=True)
    queued = client.post("/reports/weekly/build", data={"week": "2026-W02"})
    assert queued.status_code == 302 and "/jobs/" in queued.headers["Location"]
    assert work_queue(app) == 1
    job_page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "/reports/weekly/2026-W02" in job_page  # the finished job links to the report
    assert client.get("/reports/weekly/2026-W02").status_code == 200


def test_a_malformed_week_is_refused_before_anything_is_queued(app, client, auth, manager):
    from tests.queue import work_queue

    auth.login(manager.email)
    response = client.post("/reports/weekly/build", data={"week": "2026-13"})
    assert response.status_code == 400
    assert "Write the week as 2026-W05." in response.get_data(as_text=True)
    assert work_queue(app) == 0


def test_a_csm_cannot_build_a_report(client, auth, csm):
    auth.login(csm.email)
    assert client.post("/reports/weekly/build", data={"week": "2026-W02"}).status_code == 403


def test_the_tier_review_of_a_reported_week_links_its_report(client, auth, manager, csm, week_book):  # noqa: F811
    auth.login(manager.email)
    live = client.get("/reports/tier-review?week=2026-W02").get_data(as_text=True)
    assert 'id="stored-review"' not in live
    built()
    html = client.get("/reports/tier-review?week=2026-W02").get_data(as_text=True)
    assert 'id="stored-review"' in html and 'href="/reports/weekly/2026-W02"' in html
    assert "Fallen Star" in html and "1 up" in html.replace("▲ ", "")
    auth.logout()
    auth.login(csm.email)
    mine = client.get("/reports/tier-review?week=2026-W02").get_data(as_text=True)
    assert 'id="stored-review"' not in mine and "Fallen Star" in mine


def test_the_week_in_progress_says_it_added_the_accounts_changed_since_the_run(
    client,
    auth,
    manager,
    week_book,  # noqa: F811
):
    store_week_reviews(db.session, MONDAY + timedelta(days=3))
    record_change(week_book["gem"], "Scale", "Growth", MONDAY + timedelta(days=3, hours=1))
    auth.login(manager.email)
    html = client.get("/reports/tier-review?week=2026-W02").get_data(as_text=True)
    assert "Gem Co" in html and "2 up" in html.replace("▲ ", "")
    if writes_are_marked(db.session):
        assert "with the 1 account whose tier changed since brought up to date" in html
    else:
        assert 'id="stored-review"' not in html
