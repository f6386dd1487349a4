"""The segment health page over HTTP: figures per segment, drill-downs, headlines, exports, refusals."""

import csv
import io

from cstier.extensions import db
from cstier.models import SegmentHeadline
from tests.e2e.test_bad_input import csrf_app  # noqa: F401 - fixture
from tests.integration.metrics.conftest import january_book
from tests.integration.metrics.test_segment_health_pages import CSMS, many_csms_book

JANUARY = {"start": "2026-01-01", "end": "2026-02-01"}


def test_health_page_shows_each_segment_with_its_headline(client, auth, manager, csm, other_csm):
    january_book(csm, other_csm)
    auth.login(manager.email)
    page = client.get("/metrics/", query_string={**JANUARY, "by": "value_tiers"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for segment in ("Strategic", "Growth", "Scale", "(none)", "Total"):
        assert f'data-segment="{segment}"' in html
    strategic = html.split('data-segment="Strategic"', 1)[1].split("</tr>", 1)[0]
    assert "GRR 66.7 %" in strategic  # the top value tier reads GRR: (300 − 100) ÷ 300
    growth = html.split('data-segment="Growth"', 1)[1].split("</tr>", 1)[0]
    assert "Logo churn 0.0 %" in growth
    assert "computed now" in html and "as on each period" in html
    assert "/metrics/definitions#logo-churn" in html
    assert 'data-chart="retention"' in html


def test_a_number_lists_its_accounts(client, auth, manager, csm, other_csm):
    book = january_book(csm, other_csm)
    auth.login(manager.email)
    html = client.get(
        "/metrics/accounts",
        query_string={**JANUARY, "by": "value_tiers", "segment": "Strategic", "measure": "churned"},
    ).get_data(as_text=True)
    assert f"/accounts/{book['Churner'].id}" in html
    assert "Grower" not in html and "1 accounts" in html


def test_a_manager_sets_a_segments_headline(client, auth, manager, csm, other_csm):
    january_book(csm, other_csm)
    auth.login(manager.email)
    form = {"by": "value_tiers", "segment": "Growth", "metric": "nrr", **JANUARY}
    response = client.post("/metrics/headline", data=form)
    assert response.status_code == 302
    row = db.session.query(SegmentHeadline).one()
    assert (row.split, row.segment, row.metric) == ("value_tiers", "Growth", "nrr")
    html = client.get("/metrics/", query_string={**JANUARY, "by": "value_tiers"}).get_data(
        as_text=True
    )
    assert "NRR 90.9 %" in html.split('data-segment="Growth"', 1)[1].split("</tr>", 1)[0]


def test_a_viewer_may_not_set_headlines(client, auth, viewer):
    auth.login(viewer.email)
    form = {"by": "total", "segment": "Total", "metric": "nrr"}
    assert client.post("/metrics/headline", data=form).status_code == 403
    assert db.session.query(SegmentHeadline).count() == 0


def test_tables_export_as_csv_and_xlsx(client, auth, manager, csm, other_csm):
    january_book(csm, other_csm)
    auth.login(manager.email)
    response = client.get("/metrics/export/churn.csv", query_string={**JANUARY, "by": "plan"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[-1]["segment"] == "Total" and rows[-1]["bridge_end"] == "66000"
    xlsx = client.get("/metrics/export/trend.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_definitions_and_dashboard_card(client, auth, manager, csm, other_csm):
    january_book(csm, other_csm)
    auth.login(manager.email)
    html = client.get("/metrics/definitions").get_data(as_text=True)
    for anchor in ("logo-churn", "grr", "nrr", "bridge", "contraction"):
        assert f'id="{anchor}"' in html
    assert "/metrics/card" in client.get("/").get_data(as_text=True)
    card = client.get("/metrics/card").get_data(as_text=True)
    assert 'id="kpi-logo-churn"' in card and 'id="kpi-nrr"' in card


def test_bad_input_is_refused_naming_the_field(client, auth, manager):
    auth.login(manager.email)
    cases = [
        ({"by": "colour"}, "by: unknown field"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end: the period"),
        ({"start": "soon", "end": "2026-01-01"}, "start: &#39;soon&#39; is not a date"),
        ({"start": "2026-01-01"}, "end: give both start and end"),
    ]
    for query, message in cases:
        response = client.get("/metrics/", query_string=query)
        assert response.status_code in (400, 422), query
        assert message in response.get_data(as_text=True), query
    assert (
        client.get("/metrics/accounts", query_string={**JANUARY, "measure": "x"}).status_code == 400
    )
    assert client.get("/metrics/export/churn.csv").status_code == 400


def test_refresh_now_queues_a_metrics_job_that_stores_the_figures(
    app, client, auth, manager, csm, other_csm
):
    from sqlalchemy import func, select

    from cstier.models import MetricResult
    from tests.queue import work_queue

    january_book(csm, other_csm)
    auth.login(manager.email)
    assert 'id="refresh-form"' in client.get("/metrics/").get_data(as_text=True)

    started = client.post("/metrics/refresh", data={"submit": "Refresh now"})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    status_url = started.headers["Location"] + "/status"
    queued = client.get(status_url).get_data(as_text=True)
    work_queue(app)
    done = client.get(status_url).get_data(as_text=True)

    assert 'data-status="queued"' in queued
    assert 'data-status="done"' in done and 'id="job-result" href="/metrics/"' in done
    assert "segment-months" in done
    assert db.session.scalar(select(func.count()).select_from(MetricResult)) > 0
    assert "computed now" not in client.get("/metrics/").get_data(as_text=True)


def test_a_csm_cannot_refresh_the_metrics(client, auth, csm):
    auth.login(csm.email)
    assert 'id="refresh-form"' not in client.get("/metrics/").get_data(as_text=True)
    assert client.post("/metrics/refresh").status_code == 403


def test_refresh_without_a_csrf_token_queues_nothing(csrf_app, manager):  # noqa: F811
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from cstier.models import BackgroundJob
    from tests.e2e.test_bad_input import csrf_token
    from tests.factories import PASSWORD

    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": manager.email, "password": PASSWORD, "csrf_token": token})
    assert 'id="refresh-form"' in client.get("/metrics/").get_data(as_text=True)

    refused = client.post("/metrics/refresh", data={"submit": "Refresh now"})
    sent = client.post("/metrics/refresh", data={"csrf_token": csrf_token(client, "/metrics/")})

    assert refused.status_code == 400 and sent.status_code == 302
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count(BackgroundJob.id))) == 1


def test_many_segments_come_a_page_at_a_time_keeping_the_query(client, auth, manager):
    many_csms_book()
    auth.login(manager.email)
    query = {"by": "csm", "start": "2026-01-01", "end": "2026-02-01"}
    first = client.get("/metrics/", query_string=query).get_data(as_text=True)
    assert first.count("data-segment=") == 50 + 1  # a page of segments and the total
    assert f"{CSMS + 1} segments · page 1 of 2" in first
    pager = first.split('id="segment-pager"', 1)[1].split("</nav>", 1)[0]
    next_link = pager.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    for kept in ("by=csm", "start=2026-01-01", "end=2026-02-01", "page=2"):
        assert kept in next_link.replace("&amp;", "&")
    second = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("data-segment=") == CSMS + 1 - 50 + 1
    assert 'data-segment="(none)"' in second and 'data-segment="Total"' in second
    assert 'rel="prev"' in second and "page 2 of 2" in second
