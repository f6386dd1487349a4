"""The import pages: upload, map, preview, apply; templates; exports; the upload limit."""

import io
import re

from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Account
from tests.factories import AccountFactory, CompanyFactory
from tests.queue import work_queue

HEADER = "external_id,name,unit_type,company_external_id,arr,lifecycle_stage"


def upload(client, content: bytes, kind: str = "accounts", encoding: str = "", name="a.csv"):
    data = {"kind": kind, "encoding": encoding, "file": (io.BytesIO(content), name)}
    return client.post("/imports/upload", data=data, content_type="multipart/form-data")


def mapping_fields(html: str) -> dict[str, str]:
    """Return the preselected column of every mapping select."""
    fields = {}
    for name, body in re.findall(r'<select[^>]*name="(map-\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def test_upload_map_preview_apply(app, client, auth, manager):
    CompanyFactory(external_id="CO-1")
    auth.login(manager.email)
    response = upload(client, f"{HEADER}\nAC-1,First,company,CO-1,10.00,active\n".encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    fields = mapping_fields(page.get_data(as_text=True))
    assert fields == {
        "map-0": "external_id",
        "map-1": "name",
        "map-2": "unit_type",
        "map-3": "company_external_id",
        "map-4": "arr",
        "map-5": "lifecycle_stage",
    }
    run_url = response.headers["Location"].replace("/mapping", "/run")
    preview = client.post(run_url, data={**fields, "preview": "Preview"})
    assert preview.status_code == 200 and "Would create" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Account.id)) is None
    applied = client.post(run_url, data={**fields, "apply": "Apply import"})
    assert applied.status_code == 302 and db.session.scalar(select(Account.id)) is None
    assert work_queue(app) == 1
    job_page = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in job_page and "Imported 1 rows" in job_page
    assert db.session.scalar(select(Account.name)) == "First"
    assert (
        client.post(run_url, data={**fields, "apply": "Apply"}).status_code == 404
    )  # file discarded


def test_preview_lists_row_column_value_and_reason(client, auth, manager):
    CompanyFactory(external_id="CO-1")
    auth.login(manager.email)
    response = upload(client, f"{HEADER}\nAC-1,First,company,CO-1,-3,active\n".encode())
    run_url = response.headers["Location"].replace("/mapping", "/run")
    fields = mapping_fields(client.get(response.headers["Location"]).get_data(as_text=True))
    page = client.post(run_url, data={**fields, "preview": "Preview"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "<td>2</td><td><code>arr</code></td><td>-3</td><td>money cannot be negative</td>" in html
    assert "Apply import" not in html


def test_remapping_a_column_in_the_ui(app, client, auth, manager):
    CompanyFactory(external_id="CO-1")
    auth.login(manager.email)
    response = upload(
        client,
        b"Code,name,unit_type,company_external_id,lifecycle_stage\nAC-9,N,company,CO-1,active\n",
    )
    run_url = response.headers["Location"].replace("/mapping", "/run")
    fields = mapping_fields(client.get(response.headers["Location"]).get_data(as_text=True))
    assert fields["map-0"] == ""
    client.post(run_url, data={**fields, "map-0": "external_id", "apply": "Apply"})
    work_queue(app)
    assert db.session.scalar(select(Account.external_id)) == "AC-9"


def test_non_utf8_upload_is_refused_then_accepted_with_its_encoding(client, auth, manager):
    auth.login(manager.email)
    content = f"{HEADER}\nAC-1,Café,company,CO-1,1,active\n".encode("cp1252")
    response = upload(client, content)
    page = client.get(response.headers["Location"])
    assert page.status_code == 400 and "not UTF-8" in page.get_data(as_text=True)
    response = upload(client, content, encoding="cp1252")
    assert client.get(response.headers["Location"]).status_code == 200


def test_upload_over_the_limit_is_413(client, auth, manager, app, monkeypatch):
    auth.login(manager.email)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = upload(client, b"x" * 4096)
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_only_managers_import(client, auth, csm):
    auth.login(csm.email)
    assert upload(client, b"a\n").status_code == 403
    assert "Import a file" not in client.get("/imports/").get_data(as_text=True)


def test_another_users_upload_is_not_found(client, auth, manager, admin):
    auth.login(manager.email)
    location = upload(client, f"{HEADER}\n".encode()).headers["Location"]
    auth.logout()
    auth.login(admin.email)
    assert client.get(location).status_code == 404


def test_template_download_has_documented_columns(client, auth, viewer):
    auth.login(viewer.email)
    page = client.get("/imports/")
    assert "parent_external_id" in page.get_data(as_text=True)
    response = client.get("/imports/templates/subscriptions.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines()[0] == (
        "external_id,account_external_id,product,start_date,end_date,mrr,quantity"
    )


def test_export_escapes_formula_injection(client, auth, manager):
    AccountFactory(name='=HYPERLINK("http://evil")', external_id="AC-1", plan="@SUM(1)")
    AccountFactory(name="Plain", external_id="AC-2", plan="-1+2")
    auth.login(manager.email)
    response = client.get("/imports/export/accounts.csv")
    text = response.get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and "'-1+2" in text
    assert not re.search(r'(^|,)"?[=@+-]', text, re.M)


def test_export_keeps_the_account_list_filters(client, auth, manager, csm):
    AccountFactory(name="Mine", csm=csm)
    AccountFactory(name="Other")
    auth.login(manager.email)
    text = client.get("/imports/export/accounts.csv?q=Min").get_data().decode("utf-8-sig")
    assert "Mine" in text and "Other" not in text
    assert 'href="/imports/export/accounts.csv?q=Min' in client.get("/accounts/?q=Min").get_data(
        as_text=True
    )


def test_csm_exports_only_their_book(client, auth, csm):
    AccountFactory(name="Mine", csm=csm)
    AccountFactory(name="Other")
    auth.login(csm.email)
    response = client.get("/imports/export/accounts.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    text = client.get("/imports/export/accounts.csv").get_data().decode("utf-8-sig")
    assert "Mine" in text and "Other" not in text


def test_an_exported_workbook_uploads_previews_and_applies(app, client, auth, manager):
    AccountFactory(name="Globex Platform", external_id="AC-1")
    auth.login(manager.email)
    workbook = client.get("/imports/export/accounts.xlsx").data
    response = upload(client, workbook, name="accounts.xlsx")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = mapping_fields(page.get_data(as_text=True))
    run_url = response.headers["Location"].replace("/mapping", "/run")
    preview = client.post(run_url, data={**fields, "preview": "Preview"})
    assert preview.status_code == 200 and "Would create" in preview.get_data(as_text=True)
    applied = client.post(run_url, data={**fields, "apply": "Apply import"})
    work_queue(app)
    job_page = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 rows: 0 created, 0 updated, 1 unchanged" in job_page


def test_a_workbook_bomb_upload_is_refused_with_the_limit(
    client, auth, manager, app, monkeypatch, tmp_path
):
    from tests.spreadsheets import write_workbook

    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_MB", 1)
    bomb = write_workbook(tmp_path / "b.xlsx", HEADER.split(","), [["AC-1"] * 6] * 10_000)
    auth.login(manager.email)
    response = upload(client, bomb.read_bytes(), name="b.xlsx")
    page = client.get(response.headers["Location"])
    assert page.status_code == 400
    assert "CSTIER_IMPORT_MAX_UNPACKED_MB" in page.get_data(as_text=True)
