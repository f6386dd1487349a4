"""Uploads live in the database: any web host and the job process read them, whatever their folders."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, BackgroundJob, StoredFile, StoredFileChunk
from tests.conftest import make_app
from tests.e2e.clients import new_client
from tests.e2e.test_imports_web import HEADER, mapping_fields
from tests.factories import PASSWORD, CompanyFactory
from tests.queue import work_queue


@pytest.fixture
def other_host(app, database_url, tmp_path):
    """Yield an app on the same database with an instance folder of its own, as on another host."""
    variant = make_app(database_url, str(tmp_path / "other-host"))
    assert variant.instance_path != app.instance_path
    yield variant
    with variant.app_context():
        db.session.remove()
        db.engine.dispose()


def signed_in(application, email: str):
    client = new_client(application)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def upload(client, content: bytes):
    data = {"kind": "accounts", "encoding": "", "file": (io.BytesIO(content), "a.csv")}
    response = client.post("/imports/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(model))


def files_under(folder: str) -> list[Path]:
    return [path for path in Path(folder).rglob("*") if path.is_file() and "import" in str(path)]


def test_an_upload_on_one_host_is_applied_by_a_job_on_another(app, other_host, manager):
    CompanyFactory(external_id="CO-1")
    web = signed_in(app, manager.email)
    mapping_url = upload(web, f"{HEADER}\nAC-1,First,company,CO-1,10.00,active\n".encode())
    fields = mapping_fields(web.get(mapping_url).get_data(as_text=True))
    applied = web.post(mapping_url.replace("/mapping", "/run"), data={**fields, "apply": "Apply"})
    assert applied.status_code == 302 and count(Account) == 0
    assert files_under(app.instance_path) == [] and count(StoredFile) == 1

    assert work_queue(other_host) == 1

    with Session(db.engine) as fresh:
        assert fresh.scalar(select(Account.name)) == "First"
        assert fresh.scalar(select(BackgroundJob.status)) == "done"
    assert count(StoredFile) == 0 and count(StoredFileChunk) == 0  # applied: discarded


def test_the_next_step_of_an_upload_can_be_served_by_another_web_host(app, other_host, manager):
    CompanyFactory(external_id="CO-1")
    mapping_url = upload(signed_in(app, manager.email), f"{HEADER}\n".encode())

    page = signed_in(other_host, manager.email).get(mapping_url)

    assert page.status_code == 200 and "company_external_id" in page.get_data(as_text=True)


def test_a_job_whose_upload_was_cleaned_up_fails_clearly_and_writes_nothing(
    app, other_host, manager
):
    CompanyFactory(external_id="CO-1")
    web = signed_in(app, manager.email)
    mapping_url = upload(web, f"{HEADER}\nAC-1,First,company,CO-1,10.00,active\n".encode())
    fields = mapping_fields(web.get(mapping_url).get_data(as_text=True))
    web.post(mapping_url.replace("/mapping", "/run"), data={**fields, "apply": "Apply"})
    assert app.test_cli_runner().invoke(args=["imports", "cleanup", "--max-age-hours", "0"])

    work_queue(other_host)

    with Session(db.engine) as fresh:
        job = fresh.scalars(select(BackgroundJob)).one()
        assert job.status == "failed" and "The uploaded file is gone" in job.error
    assert count(Account) == 0
