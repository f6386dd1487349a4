"""GET /api/v1/metrics/churn and /trend: the service's numbers in the issue's JSON shape."""

from tests.integration.metrics.conftest import january_book
from tests.integration.metrics.test_churn_service import JANUARY_TOTAL

KEYS = {
    "segment",
    "accounts_start",
    "accounts_churned",
    "logo_churn",
    "mrr_start_cents",
    "mrr_end_cents",
    "churned_mrr_cents",
    "contraction_cents",
    "grr",
    "nrr",
    "bridge",
}


def test_churn_by_value_tier(client, bearer, manager, csm, other_csm):
    january_book(csm, other_csm)
    response = client.get(
        "/api/v1/metrics/churn?start=2026-01-01&end=2026-02-01&by=value_tiers",
        headers=bearer(manager),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["start"], body["end"], body["by"]) == ("2026-01-01", "2026-02-01", "value_tiers")
    assert body["total"] == JANUARY_TOTAL
    assert all(set(segment) == KEYS for segment in body["segments"])
    assert sum(s["accounts_start"] for s in body["segments"]) == 3


def test_an_empty_cohort_gives_null_rates(client, bearer, manager):
    body = client.get(
        "/api/v1/metrics/churn?start=2026-01-01&end=2026-02-01", headers=bearer(manager)
    ).get_json()
    assert body["total"]["logo_churn"] is None and body["total"]["nrr"] is None


def test_trend_gives_the_monthly_series(client, bearer, manager, csm, other_csm):
    january_book(csm, other_csm)
    body = client.get("/api/v1/metrics/trend?periods=3&by=plan", headers=bearer(manager)).get_json()
    assert len(body["periods"]) == 3 and body["by"] == "plan"
    assert "current values" in body["basis"]


def test_bad_input_is_refused_naming_the_field(client, bearer, manager):
    unknown = client.get(
        "/api/v1/metrics/churn?start=2026-01-01&end=2026-02-01&by=colour", headers=bearer(manager)
    )
    assert unknown.status_code == 422
    assert "valid fields are" in unknown.get_json()["message"]
    assert "by" in unknown.get_json()["errors"]
    backwards = client.get(
        "/api/v1/metrics/churn?start=2026-02-01&end=2026-02-01", headers=bearer(manager)
    )
    assert backwards.status_code == 422 and "end" in backwards.get_json()["errors"]
    missing = client.get("/api/v1/metrics/churn?start=2026-02-01", headers=bearer(manager))
    assert missing.status_code == 422 and "end" in missing.get_json()["errors"]
    months = client.get("/api/v1/metrics/trend?periods=0", headers=bearer(manager))
    assert months.status_code == 422 and "periods" in months.get_json()["errors"]


def test_metrics_need_a_token(client):
    assert client.get("/api/v1/metrics/trend").status_code == 401


def test_a_large_book_answers_409_until_refreshed_through_the_api(
    app, client, bearer, manager, csm, other_csm
):
    from tests.e2e.test_metrics_large_book import fill_book
    from tests.queue import work_queue

    january_book(csm, other_csm)
    fill_book()
    url = "/api/v1/metrics/churn?start=2026-01-01&end=2026-02-01&by=value_tiers"

    refused = client.get(url, headers=bearer(manager))
    assert refused.status_code == 409, refused.get_json()
    assert "metrics refresh" in refused.get_json()["message"]
    assert client.post("/api/v1/metrics/refresh", headers=bearer(csm)).status_code == 403
    queued = client.post("/api/v1/metrics/refresh", headers=bearer(manager))
    assert queued.status_code == 202 and "/api/v1/jobs/" in queued.headers["Location"]
    work_queue(app)

    answered = client.get(url, headers=bearer(manager))
    assert answered.status_code == 200 and answered.get_json()["total"] == JANUARY_TOTAL
    assert answered.get_json()["computed_at"] is not None
