"""Two writers save the same resource at the same read version: exactly one wins.

On PostgreSQL both UPDATEs truly overlap (the second waits on the first's row lock, then
matches no row); SQLite serialises writers, so the second must be stopped by the version check.
"""

import threading

import pytest
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.services.errors import Conflict
from tests.integration.versioned import VersionedCase, all_cases

CASES = all_cases()


def _writer(app, case: VersionedCase, pk: int, version: int, label: str, start, outcomes):
    with app.app_context():
        session = db.session
        try:
            start.wait(timeout=10)
            case.edit(session, pk, version, label)
            outcomes.append("saved")
        except Conflict:
            session.rollback()
            outcomes.append("conflict")
        except Exception as exc:  # anything else is a failure the test reports
            session.rollback()
            outcomes.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            db.session.remove()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_two_writers_at_one_version_one_wins(app, case: VersionedCase):
    with app.app_context():
        pk = case.create(db.session)
        version = case.read_version(db.session, pk)
        db.session.remove()
    start, outcomes = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_writer, args=(app, case, pk, version, label, start, outcomes))
        for label in ("writer-a", "writer-b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    with app.app_context(), Session(db.engine) as fresh:
        assert case.read_version(fresh, pk) == version + 1


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_stale_version_is_refused(app, case: VersionedCase):
    with app.app_context():
        pk = case.create(db.session)
        version = case.read_version(db.session, pk)
        case.edit(db.session, pk, version, "first")
        db.session.remove()
        with pytest.raises(Conflict):
            case.edit(db.session, pk, version, "second")
        db.session.rollback()
        assert case.read_version(db.session, pk) == version + 1
