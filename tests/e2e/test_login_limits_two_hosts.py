"""Two web processes sharing Redis hold one sign-in limit between them, over real HTTP."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import LoginFailureCount
from tests.factories import PASSWORD
from tests.shared_redis import redis_for_test
from tests.web_processes import gunicorn, request

WRONG = "not-the-password"


@pytest.fixture
def shared_redis():
    yield from redis_for_test()


def test_five_attempts_pass_across_two_web_processes_then_both_refuse(
    app, manager, database_url, shared_redis, tmp_path
):
    url, prefix = shared_redis
    common = {
        "CSTIER_ENV": "testing",
        "CSTIER_TEST_DATABASE_URL": database_url,
        "CSTIER_REDIS_URL": url,
        "CSTIER_REDIS_PREFIX": prefix,
    }
    first_env = {**common, "CSTIER_INSTANCE_PATH": str(tmp_path / "host-a")}
    second_env = {**common, "CSTIER_INSTANCE_PATH": str(tmp_path / "host-b")}
    with gunicorn(first_env) as first, gunicorn(second_env) as second:
        answers = [
            request(port, "POST", "/login", {"email": manager.email, "password": WRONG})
            for port in (first, second) * 5
        ]
        after = [
            request(port, "POST", "/login", {"email": manager.email, "password": PASSWORD})
            for port in (first, second)
        ]

    statuses = [status for status, _ in answers]
    assert statuses == [401] * 5 + [429] * 5
    assert all("Too many failed sign-ins for this account" in text for _, text in answers[5:])
    assert [status for status, _ in after] == [429, 429]
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count()).select_from(LoginFailureCount)) == 0
