"""A write that loses a key to a concurrent writer is a Conflict when the caller says it can race."""

import pytest
from sqlalchemy.exc import IntegrityError

from cstier.models import Company
from cstier.services.errors import Conflict
from cstier.services.versioning import guarded_write
from tests.factories import CompanyFactory


def test_a_key_taken_meanwhile_is_a_conflict_when_the_write_can_race(db_session):
    CompanyFactory(external_id="CO-1")
    db_session.commit()

    conflict = pytest.raises(Conflict, match="Someone else saved this company")
    with conflict, guarded_write(db_session, "company", key_race=True):
        db_session.add(Company(external_id="CO-1", name="Second"))


def test_a_key_clash_the_caller_did_not_expect_stays_an_error(db_session):
    CompanyFactory(external_id="CO-1")
    db_session.commit()

    with pytest.raises(IntegrityError), guarded_write(db_session, "company"):
        db_session.add(Company(external_id="CO-1", name="Second"))
    db_session.rollback()
