"""What-if for managers: preview a draft scheme (tiers, coverage, moving accounts); only admins save."""

import csv
import io
import json

import pytest

from cstier.extensions import db
from cstier.models import TierSchemeVersion
from cstier.services.coverage.derive import rederive_book_coverage
from tests.e2e.test_builder_web import posted
from tests.e2e.test_tiers_web import LOWER, book, count, tiered  # noqa: F401 - fixture
from tests.factories import UserFactory


@pytest.fixture
def owned_book(book, db_session):  # noqa: F811
    """The two accounts, tiered, with coverage, the Growth one owned by a CSM."""
    scheme_id = tiered(book)
    rederive_book_coverage(db_session)
    book["mid"].csm = UserFactory(role="csm", name="Cora Owner")
    db_session.commit()
    return scheme_id


def test_a_manager_previews_a_draft_with_coverage_and_moving_accounts(
    client, auth, manager, owned_book
):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": json.dumps(LOWER), "preview": "1"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="preview-result"' in page and 'id="preview-headcount"' in page
    # Mid (100,000) moves Growth → Strategic under the lower bands, and with it its model.
    assert 'id="preview-moving"' in page and ">Mid</a>" in page
    assert 'id="preview-coverage"' in page
    assert "Only admins save a new version." in page
    assert 'name="save"' not in page
    assert count(TierSchemeVersion) == 5  # nothing saved


def test_the_moving_accounts_download_as_csv(client, auth, manager, owned_book):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": json.dumps(LOWER), "export": "1"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["name"], r["from_tier"], r["to_tier"]) for r in rows] == [
        ("Mid", "Growth", "Strategic")
    ]


def test_a_manager_may_preview_but_not_save(client, auth, manager, owned_book):
    auth.login(manager.email)
    data = {"definition": json.dumps(LOWER), "save": "1"}
    assert client.post(f"/tiers/schemes/{owned_book}", data=data).status_code == 403
    assert count(TierSchemeVersion) == 5


def test_a_csm_may_not_preview(client, auth, owned_book):
    csm = UserFactory(role="csm", email="csm-preview@example.com")
    db.session.commit()
    auth.login(csm.email)
    data = {"definition": json.dumps(LOWER), "preview": "1"}
    assert client.post(f"/tiers/schemes/{owned_book}", data=data).status_code == 403


def test_a_bad_draft_is_refused_with_a_message_and_nothing_saved(client, auth, manager, owned_book):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": "{not json", "preview": "1"}
    )
    assert response.status_code == 400
    assert "Not valid JSON" in response.get_data(as_text=True)
    assert count(TierSchemeVersion) == 5


def test_a_manager_previews_in_the_rule_builder(client, auth, manager, owned_book):
    auth.login(manager.email)
    url = f"/tiers/schemes/{owned_book}/builder"
    response = client.post(url, data=posted(LOWER, action="preview"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="builder-preview"' in page and 'id="preview-moving"' in page
    exported = client.post(url, data=posted(LOWER, action="export"))
    assert exported.mimetype == "text/csv" and "Mid" in exported.get_data(as_text=True)
    assert client.post(url, data=posted(LOWER, action="save")).status_code == 403
    assert count(TierSchemeVersion) == 5
