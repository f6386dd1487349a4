"""Touches over the API: log and list in the caller's book; bad kinds and days refused."""

import pytest

from cstier.extensions import db
from cstier.models import Touch
from tests.e2e.api.conftest import assert_error_shape


def url(account) -> str:
    return f"/api/v1/accounts/{account.id}/touches"


def test_csm_logs_and_lists_touches(client, bearer, csm, book):
    headers = bearer(csm)
    body = {"kind": "qbr", "occurred_on": "2026-01-15", "note": "Renewal plan agreed"}
    response = client.post(url(book["mine"]), json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["csm_id"] == csm.id
    listed = client.get(url(book["mine"]), headers=headers).get_json()
    assert [(t["kind"], t["occurred_on"], t["note"]) for t in listed] == [
        ("qbr", "2026-01-15", "Renewal plan agreed")
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lunch", "occurred_on": "2026-01-15"}, "kind"),
        ({"kind": "call", "occurred_on": "15/01/2026"}, "occurred_on"),
        ({"kind": "call", "occurred_on": "2999-01-01"}, "occurred_on"),
        ({"kind": "call"}, "occurred_on"),
    ],
)
def test_bad_touches_are_refused(client, bearer, csm, book, body, field):
    response = client.post(url(book["mine"]), json=body, headers=bearer(csm))
    assert field in assert_error_shape(response, 422)["errors"]
    assert db.session.query(Touch).count() == 0


def test_other_books_and_viewers(client, bearer, csm, viewer, book):
    body = {"kind": "call", "occurred_on": "2026-01-15"}
    assert_error_shape(client.post(url(book["theirs"]), json=body, headers=bearer(csm)), 404)
    assert_error_shape(client.get(url(book["theirs"]), headers=bearer(csm)), 404)
    assert_error_shape(client.post(url(book["mine"]), json=body, headers=bearer(viewer)), 403)
