"""Failed sign-ins counted in Redis keep the database's limits, atomically, and nothing in SQL."""

import threading

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import LoginAttempt, LoginFailureCount
from cstier.services import users
from cstier.services.errors import SignInUnavailable, TooManyAttempts
from cstier.services.login_limits import LoginLimits
from cstier.services.shared_state import connect_shared_redis, login_counts
from cstier.store.redis_state import RedisUnreachable
from cstier.web.shared_state import require_shared_state
from tests.conftest import make_app
from tests.factories import PASSWORD
from tests.shared_redis import redis_for_test

WRONG = "not-the-password"


@pytest.fixture
def shared_redis():
    yield from redis_for_test()


@pytest.fixture
def redis_counts(shared_redis):
    url, prefix = shared_redis
    client = connect_shared_redis(url)
    yield lambda: login_counts(db.session, client, prefix)
    client.close()


def sign_in(counts, email, password=WRONG, address="10.0.0.1", limits=None):
    return users.authenticate(
        db.session,
        email,
        password,
        address,
        limits=limits or LoginLimits(),
        counts=counts(),
    )


def test_five_failures_refuse_the_pair_and_nothing_is_counted_in_the_database(
    db_session, manager, redis_counts
):
    for _ in range(5):
        assert sign_in(redis_counts, manager.email) is None

    with pytest.raises(TooManyAttempts, match="for this account from your address. Wait 15"):
        sign_in(redis_counts, manager.email, PASSWORD)
    assert sign_in(redis_counts, manager.email, PASSWORD, address="10.0.0.2") is not None
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count()).select_from(LoginFailureCount)) == 0


def test_a_right_password_gives_its_count_back(db_session, manager, redis_counts):
    for _ in range(4):
        assert sign_in(redis_counts, manager.email) is None
    for _ in range(3):
        assert sign_in(redis_counts, manager.email, PASSWORD) is not None

    assert sign_in(redis_counts, manager.email) is None
    with pytest.raises(TooManyAttempts):
        sign_in(redis_counts, manager.email, PASSWORD)


def test_failures_across_emails_refuse_the_address(db_session, manager, redis_counts):
    limits = LoginLimits(per_address=8)
    for n in range(8):
        assert sign_in(redis_counts, f"guess{n}@example.com", limits=limits) is None

    with pytest.raises(TooManyAttempts, match="from your address"):
        sign_in(redis_counts, manager.email, PASSWORD, limits=limits)
    assert sign_in(redis_counts, manager.email, PASSWORD, "10.0.0.9", limits) is not None


def test_past_the_email_limit_it_takes_one_attempt_per_turn_and_the_owner_skips_turns(
    db_session, manager, redis_counts
):
    limits = LoginLimits(per_email=3, slowdown_step_seconds=30, slowdown_max_seconds=60)
    assert sign_in(redis_counts, manager.email, PASSWORD, "10.0.9.9", limits) is not None
    for n in range(3):
        assert sign_in(redis_counts, manager.email, address=f"10.0.0.{n}", limits=limits) is None

    # The fourth failure takes the turn; the next ones, from anywhere new, come before theirs.
    assert sign_in(redis_counts, manager.email, address="10.0.0.3", limits=limits) is None
    for n in range(4, 8):
        with pytest.raises(TooManyAttempts, match="just now. Wait"):
            sign_in(redis_counts, manager.email, PASSWORD, f"10.0.0.{n}", limits)
    # The owner's known address skips the turns.
    assert sign_in(redis_counts, manager.email, PASSWORD, "10.0.9.9", limits) is not None


def test_a_burst_against_one_pair_evaluates_at_most_the_limit(app, manager, redis_counts):
    email = manager.email
    start = threading.Barrier(30)
    outcomes: list[str] = []

    def one() -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes.append("signed in" if sign_in(redis_counts, email) else "wrong")
            except TooManyAttempts:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * 25 + ["wrong"] * 5


def test_the_counters_expire_with_their_window(db_session, manager, shared_redis):
    url, prefix = shared_redis
    client = connect_shared_redis(url)
    counts = lambda: login_counts(db.session, client, prefix)  # noqa: E731
    sign_in(counts, manager.email)

    ttls = [client.pttl(key) for key in client.scan_iter(f"{prefix}login:*")]

    assert len(ttls) == 3 and all(0 < ttl <= 3_600_000 for ttl in ttls)
    assert sorted(ttl <= 900_000 for ttl in ttls) == [False, True, True]


def test_an_unreachable_redis_stops_a_web_hosts_start_with_a_clear_error(database_url, tmp_path):
    # The app itself starts (the CLI, backups and the scheduler need no Redis)...
    application = make_app(database_url, str(tmp_path), REDIS_URL="redis://127.0.0.1:1/0")
    assert application.test_cli_runner().invoke(args=["db", "current"]).exit_code == 0
    # ...and a web host refuses to serve.
    with pytest.raises(RedisUnreachable, match="CSTIER_REDIS_URL is set to redis://127.0.0.1:1/0"):
        require_shared_state(application)


def test_a_malformed_redis_url_is_refused_at_once(database_url, tmp_path):
    with pytest.raises(RedisUnreachable, match="CSTIER_REDIS_URL is set to"):
        make_app(database_url, str(tmp_path), REDIS_URL="http://not-redis/0")


def test_the_error_does_not_show_the_redis_password(database_url, tmp_path):
    application = make_app(database_url, str(tmp_path), REDIS_URL="redis://:s3cret@127.0.0.1:1/0")
    with pytest.raises(RedisUnreachable) as refused:
        require_shared_state(application)

    assert "s3cret" not in str(refused.value) and ":***@127.0.0.1:1/0" in str(refused.value)


def test_a_configured_redis_is_connected_at_start(database_url, tmp_path, shared_redis):
    url, _ = shared_redis
    application = make_app(database_url, str(tmp_path), REDIS_URL=url)

    assert isinstance(application.extensions["cstier.redis"], redis.Redis)


def test_a_redis_that_stops_answering_refuses_sign_in_and_records_nothing(db_session, manager):
    gone = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)

    with pytest.raises(SignInUnavailable, match="Sign-in is unavailable for a moment"):
        sign_in(lambda: login_counts(db.session, gone, "gone:"), manager.email, PASSWORD)

    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count()).select_from(LoginAttempt)) == 0
