"""Dashboards and reports read the replica; writes, the pages after them and other pages the primary."""

import logging
import re
import time

import pytest
from sqlalchemy import insert

from cstier.extensions import db
from cstier.models import Notification
from cstier.read_routing import REPLICA_PAGES, replica_of
from tests.e2e.clients import new_client
from tests.e2e.test_bad_input import other_app
from tests.factories import PASSWORD
from tests.replica import copy_rows, empty, replica_url  # noqa: F401  (fixture)

UNREAD = re.compile(r'id="unread-count">(\d+)<')
PAGES = ["/", "/metrics/", "/reports/tier-review", "/reports/trends", "/coverage/capacity"]
PAGES += ["/reports/weekly/"]


def unread(response) -> int:
    """Return the navbar's unread count: rows only the replica holds make it differ."""
    assert response.status_code == 200, response.status_code
    found = UNREAD.search(response.text)
    return int(found.group(1)) if found else 0


def notify(engine, user_id: int, count: int, first_id: int) -> None:
    """Give the user `count` unread notifications in one database only."""
    with engine.begin() as conn:
        conn.execute(
            insert(Notification),
            [
                {"id": first_id + n, "user_id": user_id, "change_key": f"test:{first_id + n}"}
                | {"title": "Tier changed", "body": "", "cause": "", "in_app": True}
                for n in range(count)
            ],
        )


def signed_in(app, email: str):
    client = new_client(app)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def replicated(app, database_url, instance_path, replica_url, manager):  # noqa: F811
    """An app with a replica (sticky for 1 s after a write); the manager has 1 unread, 3 there."""
    apps = other_app(
        app, database_url, instance_path, DATABASE_REPLICA_URL=replica_url, REPLICA_STICKY_SECONDS=1
    )
    variant = next(apps)
    replica = replica_of(variant)
    copy_rows(db.engine, replica.engine)
    notify(db.engine, manager.id, 1, 900_001)
    notify(replica.engine, manager.id, 3, 900_101)
    yield variant
    empty(replica.engine)
    replica.dispose()
    next(apps, None)


def test_every_replica_page_exists(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} >= REPLICA_PAGES


def test_dashboards_and_reports_read_the_replica_other_pages_the_primary(replicated, manager):
    client = signed_in(replicated, manager.email)
    time.sleep(1.1)  # past the read-your-writes window of the sign-in

    assert {path: unread(client.get(path)) for path in PAGES} == dict.fromkeys(PAGES, 3)
    assert unread(client.get("/accounts/")) == 1
    assert unread(client.get("/notifications")) == 1


def test_a_browser_that_just_wrote_reads_the_primary(replicated, manager):
    client = signed_in(replicated, manager.email)

    assert unread(client.get("/")) == 1  # the sign-in was a write, a moment ago
    time.sleep(1.1)
    assert unread(client.get("/")) == 3
    client.post("/reports/weekly/subscription", data={"subscribed": "y"})
    assert unread(client.get("/")) == 1


def test_an_unreachable_replica_falls_back_to_the_primary_with_a_log_line(
    app, database_url, instance_path, manager, caplog, tmp_path
):
    down = (
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
        if database_url.startswith("postgresql")
        else f"sqlite:///{tmp_path / 'missing' / 'replica.sqlite'}"
    )
    notify(db.engine, manager.id, 2, 900_201)
    for variant in other_app(app, database_url, instance_path, DATABASE_REPLICA_URL=down):
        client = signed_in(variant, manager.email)
        variant.config["REPLICA_STICKY_SECONDS"] = 0
        with caplog.at_level(logging.WARNING, logger="cstier.store.replica"):
            assert unread(client.get("/")) == 2
            assert unread(client.get("/metrics/")) == 2
        warnings = [r.getMessage() for r in caplog.records if r.name == "cstier.store.replica"]
        assert len(warnings) == 1  # then the replica is skipped for a while, not asked each time
        assert warnings[0].startswith("read replica unreachable, reading from the primary")
        replica_of(variant).dispose()
