"""distinct_values: an indexed column's distinct values by stepping through its index."""

from cstier.models import Company
from cstier.store.bulk_reads import distinct_values
from tests.factories import CompanyFactory


def test_distinct_values_are_ascending_without_nulls(db_session):
    for region in ["NA", "EMEA", None, "APAC", "EMEA", "", "NA", "ü—東", "it's"]:
        CompanyFactory(region=region)
    db_session.flush()
    found = distinct_values(db_session, Company.__table__.c.region)
    assert found == sorted({"NA", "EMEA", "APAC", "", "ü—東", "it's"})


def test_distinct_values_of_an_empty_table(db_session):
    assert distinct_values(db_session, Company.__table__.c.industry) == []
