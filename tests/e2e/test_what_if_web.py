"""What-if for managers: a draft's preview runs as a job and its stored result is shown; only admins save."""

import csv
import io
import json

import pytest
from sqlalchemy import delete, update

from cstier.domain.permissions import Actor
from cstier.domain.tiering.defaults import SIZE_SEGMENTS
from cstier.extensions import db
from cstier.models import Account, TierScheme, TierSchemeVersion
from cstier.services.coverage.derive import rederive_book_coverage
from cstier.services.tiering.schemes import create_scheme
from tests.e2e.previews import finish_preview, preview_jobs, stored_previews
from tests.e2e.test_builder_web import posted
from tests.e2e.test_tiers_web import LOWER, book, count, tiered  # noqa: F401 - fixture
from tests.factories import UserFactory
from tests.queue import work_queue


@pytest.fixture
def owned_book(book, db_session):  # noqa: F811
    """The two accounts, tiered, with coverage, the Growth one owned by a CSM."""
    scheme_id = tiered(book)
    rederive_book_coverage(db_session)
    book["mid"].csm = UserFactory(role="csm", name="Cora Owner")
    db_session.commit()
    return scheme_id


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_a_manager_previews_a_draft_as_a_job_and_sees_the_stored_result(
    app, client, auth, manager, owned_book
):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": json.dumps(LOWER), "preview": "1"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="preview-job"' in page and 'data-status="queued"' in page
    assert "Only admins save a new version." in page and 'name="save"' not in page
    assert [job.status for job in preview_jobs()] == ["queued"]

    result_url = finish_preview(app, client)
    assert "1 of 2 accounts would change tier" in preview_jobs()[-1].progress_message
    result = client.get(result_url).get_data(as_text=True)
    assert 'id="movement"' in result and 'id="preview-headcount"' in result
    # Mid (100,000) moves Growth → Strategic under the lower bands, and with it its model.
    assert "<strong>1</strong> of 2 accounts change tier" in result
    assert 'id="preview-coverage"' in result and 'id="preview-new-owners"' in result
    assert "<strong>1</strong> of them are owned and would need a new owner" in result
    assert 'id="preview-moving"' in result and ">Mid</a>" in result
    assert count(TierSchemeVersion) == 5  # nothing saved

    moving = client.get(f"{result_url}/moving").get_data(as_text=True)
    assert 'id="moving-table"' in moving and ">Mid</a>" in moving and ">Big</a>" not in moving
    exported = client.get(f"{result_url}/moving.csv")
    assert exported.mimetype == "text/csv"
    assert [(r["name"], r["from_tier"], r["to_tier"]) for r in _csv_rows(exported)] == [
        ("Mid", "Growth", "Strategic")
    ]


def test_a_reload_shows_the_stored_result_without_computing_it_again(
    app,
    client,
    auth,
    manager,
    owned_book,
    book,  # noqa: F811
):
    auth.login(manager.email)
    client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": json.dumps(LOWER), "preview": "1"}
    )
    result_url = finish_preview(app, client)
    # Were the page computed again, Big falling to 10,000 would now move too.
    db.session.execute(
        update(Account).where(Account.id == book["big"].id).values(arr_cents=10_000_00)
    )
    db.session.commit()
    again = client.get(result_url).get_data(as_text=True)
    assert "<strong>1</strong> of 2 accounts change tier" in again and ">Big</a>" not in again
    assert stored_previews() == 1 and len(preview_jobs()) == 1


def test_a_manager_may_preview_but_not_save(client, auth, manager, owned_book):
    auth.login(manager.email)
    data = {"definition": json.dumps(LOWER), "save": "1"}
    assert client.post(f"/tiers/schemes/{owned_book}", data=data).status_code == 403
    assert count(TierSchemeVersion) == 5


def test_a_csm_may_neither_preview_nor_see_a_preview(app, client, auth, manager, owned_book):
    auth.login(manager.email)
    data = {"definition": json.dumps(LOWER), "preview": "1"}
    client.post(f"/tiers/schemes/{owned_book}", data=data)
    result_url = finish_preview(app, client)
    auth.logout()
    csm = UserFactory(role="csm", email="csm-preview@example.com")
    db.session.commit()
    auth.login(csm.email)
    assert client.post(f"/tiers/schemes/{owned_book}", data=data).status_code == 403
    builder = client.post(
        f"/tiers/schemes/{owned_book}/builder", data=posted(LOWER, action="preview")
    )
    assert builder.status_code == 403
    assert len(preview_jobs()) == 1  # nothing more queued
    for url in (result_url, f"{result_url}/moving", f"{result_url}/moving.csv"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("{not json", "Not valid JSON"),
        (json.dumps({**LOWER, "field": "profit"}), "Unknown field &#39;profit&#39;"),
        (json.dumps({**LOWER, "bands": []}), "The band list is empty"),
    ],
    ids=["invalid json", "unknown field", "empty tiers"],
)
def test_a_bad_draft_is_refused_before_anything_is_queued(
    client, auth, manager, owned_book, definition, message
):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}", data={"definition": definition, "preview": "1"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert preview_jobs() == [] and count(TierSchemeVersion) == 5


def test_a_bad_draft_in_the_rule_builder_is_refused_before_anything_is_queued(
    client, auth, manager, owned_book
):
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{owned_book}/builder",
        data=posted({**LOWER, "bands": []}, action="preview"),
    )
    assert response.status_code == 400
    assert preview_jobs() == []


def test_a_manager_previews_in_the_rule_builder(app, client, auth, manager, owned_book):
    auth.login(manager.email)
    url = f"/tiers/schemes/{owned_book}/builder"
    response = client.post(url, data=posted(LOWER, action="preview"))
    assert response.status_code == 200
    assert 'id="preview-job"' in response.get_data(as_text=True)
    result_url = finish_preview(app, client)
    result = client.get(result_url).get_data(as_text=True)
    assert 'id="movement"' in result and ">Mid</a>" in result
    assert "Mid" in client.get(f"{result_url}/moving.csv").get_data(as_text=True)
    assert client.post(url, data=posted(LOWER, action="save")).status_code == 403
    assert count(TierSchemeVersion) == 5


def test_a_preview_whose_scheme_was_deleted_meanwhile_fails_with_a_message(
    app, client, auth, manager, owned_book
):
    draft = {**SIZE_SEGMENTS, "name": "Size draft"}
    scheme = create_scheme(db.session, Actor(user_id=None, role="admin"), draft)
    auth.login(manager.email)
    response = client.post(
        f"/tiers/schemes/{scheme.id}", data={"definition": json.dumps(draft), "preview": "1"}
    )
    assert response.status_code == 200
    with db.engine.begin() as connection:  # as an operator removing the scheme would
        connection.execute(
            delete(TierSchemeVersion).where(TierSchemeVersion.scheme_id == scheme.id)
        )
        connection.execute(delete(TierScheme).where(TierScheme.id == scheme.id))
    work_queue(app)
    job = preview_jobs()[-1]
    assert job.status == "failed" and "no longer exists" in job.error
    status = client.get(f"/jobs/{job.id}/status").get_data(as_text=True)
    assert 'id="job-error"' in status and "no longer exists" in status
    assert stored_previews() == 0


def test_an_unknown_preview_is_404(client, auth, manager, owned_book):
    auth.login(manager.email)
    assert client.get("/tiers/previews/999999").status_code == 404
    assert client.get("/tiers/previews/999999/moving").status_code == 404
