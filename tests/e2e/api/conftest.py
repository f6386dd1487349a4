"""API fixtures: bearer headers for any user, a small book split between two CSMs."""

import pytest

from cstier.services import tokens
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory


@pytest.fixture
def bearer(db_session):
    """Return a function giving Authorization headers for a fresh token of a user."""

    def headers_for(user) -> dict[str, str]:
        _token, raw = tokens.create_token(db_session, user, "test")
        return {"Authorization": f"Bearer {raw}"}

    return headers_for


@pytest.fixture
def book(db_session, csm, other_csm):
    """Two companies; one account in each CSM's book and one unassigned; the default schemes."""
    ensure_default_schemes(db_session)  # as setting the workspace up does
    acme, globex = (
        CompanyFactory(name="Acme", region="EMEA"),
        CompanyFactory(name="Globex", region="NA"),
    )
    return {
        "mine": AccountFactory(name="Acme Core", company=acme, csm_id=csm.id, arr_cents=300_000_00),
        "theirs": AccountFactory(name="Globex Main", company=globex, csm_id=other_csm.id),
        "unassigned": AccountFactory(name="Acme Labs", company=acme, arr_cents=20_000_00),
    }


def assert_error_shape(response, status: int) -> dict:
    """Check the API's one error shape and return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


@pytest.fixture
def bearer_for_inactive(db_session, bearer, csm):
    """Headers for a token whose user was deactivated after it was created."""
    headers = bearer(csm)
    csm.active = False
    db_session.commit()
    return headers
