"""Failed sign-ins are counted atomically: parallel bursts cannot pass the limits."""

import threading
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import LoginAttempt, LoginFailureCount
from cstier.models.base import utcnow
from cstier.services import users
from cstier.services.errors import TooManyAttempts
from cstier.services.login_limits import LoginLimits
from tests.factories import PASSWORD

WRONG = "not-the-password"


def burst(app, attempts: int, sign_in) -> list[str]:
    """Run `sign_in` in `attempts` threads released together; return each one's outcome."""
    start = threading.Barrier(attempts)
    outcomes: list[str] = []

    def one(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes.append("signed in" if sign_in(n) else "wrong")
            except TooManyAttempts:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def evaluated_attempts() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(LoginAttempt.id)))


def test_a_burst_against_one_pair_evaluates_at_most_the_limit(app, manager):
    email = manager.email  # read here: the threads must not load through this test's session

    def sign_in(_n: int):
        return users.authenticate(db.session, email, WRONG, "10.0.0.1", limits=LoginLimits())

    outcomes = burst(app, 40, sign_in)

    assert sorted(outcomes) == ["refused"] * 35 + ["wrong"] * 5
    assert evaluated_attempts() == 5


def test_a_burst_from_one_address_evaluates_at_most_its_limit(app, manager):
    limits = LoginLimits(per_address=12)

    def sign_in(n: int):
        return users.authenticate(
            db.session, f"guess{n}@example.com", WRONG, "10.0.0.1", limits=limits
        )

    outcomes = burst(app, 30, sign_in)

    assert outcomes.count("wrong") == 12
    assert evaluated_attempts() == 12


def test_the_pair_limit_lifts_when_its_window_ends(db_session, manager):
    limits = LoginLimits(window_seconds=900)
    start = utcnow()

    def sign_in(password: str, minutes: float):
        return users.authenticate(
            db_session,
            manager.email,
            password,
            "10.0.0.1",
            limits=limits,
            now=start + timedelta(minutes=minutes),
        )

    for minute in range(5):
        assert sign_in(WRONG, minute) is None
    with pytest.raises(TooManyAttempts, match="Wait 1 minute and try again"):
        sign_in(PASSWORD, 14.5)

    assert sign_in(PASSWORD, 15.1) is not None


def test_past_the_email_limit_attempts_take_turns_that_grow_up_to_the_cap(db_session, manager):
    limits = LoginLimits(per_email=3, slowdown_step_seconds=10, slowdown_max_seconds=25)
    start = utcnow()

    def sign_in(password: str, address: str, second: float):
        return users.authenticate(
            db_session, manager.email, password, address, limits=limits,
            now=start + timedelta(seconds=second),
        )  # fmt: skip

    assert sign_in(PASSWORD, "10.9.9.9", 0) is not None  # the owner's office, before the attack
    for n in range(3):
        assert sign_in(WRONG, f"10.0.0.{n}", 1 + n) is None
    assert sign_in(WRONG, "10.0.0.3", 4) is None  # the first past the limit: a 10 s turn starts
    with pytest.raises(TooManyAttempts, match="Wait 20 seconds and try again"):
        sign_in(WRONG, "10.0.0.4", 4.5)  # the second needs a 20 s turn
    assert sign_in(WRONG, "10.0.0.5", 24) is None  # its turn came: a 20 s one starts
    with pytest.raises(TooManyAttempts, match="Wait 19 seconds"):
        sign_in(PASSWORD, "10.0.0.6", 30)  # a fresh address waits its turn like any other
    assert sign_in(PASSWORD, "10.9.9.9", 30) is not None  # the office does not
    assert evaluated_attempts() == 7  # a refused attempt is neither checked nor counted


def test_a_sign_in_forgets_counters_whose_windows_ended(db_session, manager):
    limits = LoginLimits()
    start = utcnow()
    assert (
        users.authenticate(
            db_session, "gone@example.com", WRONG, "10.0.0.1", limits=limits, now=start
        )
        is None
    )

    later = start + timedelta(hours=1, minutes=1)
    assert users.authenticate(
        db_session, manager.email, PASSWORD, "10.0.0.2", limits=limits, now=later
    )

    with Session(db.engine) as fresh:
        windows = fresh.scalars(select(LoginFailureCount.window_started_at)).all()
    assert [_aware(window) for window in windows] == [later] * 3


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
