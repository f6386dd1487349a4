"""A use case's writes are committed together when it ends, or rolled back when it fails."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Company
from cstier.services.errors import ValidationFailed
from cstier.services.unit_of_work import unit_of_work


def committed_companies() -> int:
    """Count the companies another connection sees."""
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(Company.id)))


def test_a_block_that_ends_commits_its_writes(db_session):
    with unit_of_work(db.session):
        db.session.add(Company(external_id="CO-1", name="Acme"))

    assert committed_companies() == 1


@pytest.mark.parametrize("error", [ValidationFailed("refused"), RuntimeError("bug")])
def test_a_block_that_raises_rolls_back_and_re_raises(db_session, error):
    with pytest.raises(type(error)), unit_of_work(db.session):
        db.session.add(Company(external_id="CO-1", name="Acme"))
        db.session.flush()
        raise error

    assert committed_companies() == 0
    assert db.session.scalar(select(func.count(Company.id))) == 0  # not pending either
