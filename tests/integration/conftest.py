"""Integration fixtures shared across service areas."""

import pytest

from tests.factories import AccountFactory, CompanyFactory


@pytest.fixture
def split_book(db_session, csm, other_csm):
    """One company's two accounts: a Growth one for `csm`, a Strategic one for `other_csm`."""
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    return {
        "mine": AccountFactory(name="Mine", company=company, arr_cents=100_000_00, csm=csm),
        "theirs": AccountFactory(
            name="Theirs", company=company, arr_cents=300_000_00, csm=other_csm
        ),
    }
