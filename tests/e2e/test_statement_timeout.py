"""A slow statement of a web request is cancelled at CSTIER_STATEMENT_TIMEOUT_MS with a 503.

PostgreSQL cancels it by its statement_timeout; SQLite's progress handler interrupts it.
"""

import time

import pytest
from sqlalchemy import text

from cstier.extensions import db
from cstier.services import tokens
from tests.e2e.clients import new_client
from tests.e2e.test_bad_input import other_app
from tests.factories import PASSWORD

TIMEOUT_MS = 300
TOO_SLOW = "The database took too long to answer"
# A statement the database takes half a minute or more to answer.
SLOW = {
    "postgresql": "SELECT pg_sleep(30)",
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000)"
    " SELECT count(*) FROM n",
}
# About a second of work: more than the timeout, allowed outside a request.
SECOND = {
    "postgresql": "SELECT pg_sleep(0.6) IS NULL",
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000)"
    " SELECT count(*) FROM n",
}


@pytest.fixture
def timed_app(app, database_url, instance_path):
    """An app whose web statements time out at 300 ms, with routes that take 30 s in the database."""
    for variant in other_app(app, database_url, instance_path, STATEMENT_TIMEOUT_MS=TIMEOUT_MS):
        # Test-only views: a statement the database takes 30 s to answer, in the web and the API.
        variant.add_url_rule("/slow-test", "slow_page", _sleep_in_database)
        variant.add_url_rule("/api/v1/slow-test", "slow_api", _sleep_in_database)
        yield variant


def _sleep_in_database():
    db.session.execute(text(SLOW[db.engine.name]))
    return "answered"


def signed_in(app, email: str):
    client = new_client(app)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_slow_page_gets_the_503_page_at_the_timeout(timed_app, manager):
    client = signed_in(timed_app, manager.email)

    started = time.monotonic()
    response = client.get("/slow-test")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert TOO_SLOW in response.text and "<html" in response.text.lower()
    assert elapsed < 5  # the worker is free again after about the timeout, not 30 s
    assert client.get("/").status_code == 200  # the next request on that connection works


def test_a_slow_api_call_gets_json_503(timed_app):
    started = time.monotonic()
    response = new_client(timed_app).get("/api/v1/slow-test")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json["code"] == 503 and TOO_SLOW in response.json["message"]


def test_a_real_page_waiting_on_a_lock_times_out(timed_app, manager, bearer_headers):
    if db.engine.name != "postgresql":
        pytest.skip("SQLite readers never wait for a lock (WAL)")
    client = signed_in(timed_app, manager.email)
    with db.engine.connect() as holder:
        # Another process holds the account table (e.g. a migration): reads of it must wait.
        holder.execute(text('LOCK TABLE "account" IN ACCESS EXCLUSIVE MODE'))
        started = time.monotonic()
        page = client.get("/accounts/")
        api = new_client(timed_app).get("/api/v1/accounts", headers=bearer_headers(manager))
        elapsed = time.monotonic() - started
        holder.rollback()

    assert (page.status_code, api.status_code) == (503, 503)
    assert TOO_SLOW in page.text and TOO_SLOW in api.json["message"]
    assert elapsed < 8
    assert client.get("/accounts/").status_code == 200


def test_work_outside_a_web_request_has_no_timeout(timed_app):
    with timed_app.app_context():
        assert db.session.scalar(text(SECOND[db.engine.name])) is not None
        db.session.rollback()


@pytest.fixture
def bearer_headers(db_session):
    def headers_for(user) -> dict[str, str]:
        _token, raw = tokens.create_token(db_session, user, "test")
        return {"Authorization": f"Bearer {raw}"}

    return headers_for
