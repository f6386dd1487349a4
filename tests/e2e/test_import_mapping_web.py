"""The mapping page takes a CRM export as it is: synonyms, attributes, fills, formats, saved mapping."""

import html as html_lib
import re

from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import Account, Company, CustomAttribute
from tests.e2e.test_imports_web import mapping_fields, upload
from tests.queue import work_queue

CRM = (
    b"Customer ID,Account Name,ARR (USD),Renewal Date,Health Score\n"
    b'C-1,Acme Corp,"$1,234.50",03/04/2027,7.5\n'
    b'C-2,Globex,"$250,000.00",31/12/2027,9\n'
)
FILLS = {
    "fill-unit_type": "company",
    "fillmode-unit_type": "constant",
    "fill-lifecycle_stage": "active",
    "fillmode-lifecycle_stage": "default",
    "date_format": "DMY",
    "decimal_separator": ".",
    "companies": "y",
}


def input_value(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    return html_lib.unescape(found.group(1)) if found else ""


def test_synonyms_attribute_fills_preview_apply_and_the_saved_mapping(app, client, auth, manager):
    auth.login(manager.email)
    mapping_url = upload(client, CRM).headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    fields = mapping_fields(page)
    assert fields == {"map-0": "external_id", "map-1": "name", "map-2": "arr",
                      "map-3": "renewal_date", "map-4": ""}  # fmt: skip
    assert input_value(page, "attr-key-4") == "health_score"
    assert re.search(r'<input checked[^>]*name="retier"', page)  # re-tier is on by default
    assert re.search(r'name="attr-type-4".*?<option value="number" selected>', page, re.S)

    token_url = mapping_url.removesuffix("/mapping")
    created = client.post(
        f"{token_url}/attribute",
        data={**fields, **FILLS, "create": "4", "attr-key-4": "health_score",
              "attr-type-4": "number"},
    )  # fmt: skip
    assert created.status_code == 200, created.get_data(as_text=True)
    fields = mapping_fields(created.get_data(as_text=True))
    assert fields["map-4"] == "attr.health_score"
    assert db.session.scalar(select(CustomAttribute.data_type)) == "number"

    preview = client.post(f"{token_url}/run", data={**fields, **FILLS, "preview": "Preview"})
    assert preview.status_code == 200 and "Would create" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Account.id)) is None
    applied = client.post(f"{token_url}/run", data={**fields, **FILLS, "apply": "Apply"})
    # Applying runs as a background job: the page follows it, the worker applies it.
    assert applied.status_code == 302 and "/jobs/" in applied.headers["Location"]
    assert work_queue(app) == 1
    assert "Imported 2 rows" in client.get(applied.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Company.id))) == 2  # one per account
    acme = db.session.scalar(select(Account).where(Account.external_id == "C-1"))
    assert (acme.arr_cents, acme.renewal_date.isoformat()) == (123450, "2027-04-03")
    assert acme.attributes == {"health_score": 7.5}
    assert (
        db.session.scalar(select(Company.name).where(Company.external_id == "C-1")) == "Acme Corp"
    )

    again = client.get(upload(client, CRM).headers["Location"]).get_data(as_text=True)
    assert "The mapping last applied for accounts is filled in." in again
    assert mapping_fields(again)["map-4"] == "attr.health_score"
    assert input_value(again, "fill-unit_type") == "company"
    assert '<option selected value="DMY">' in again or 'value="DMY" selected' in again


def test_ambiguous_dates_are_refused_with_grouped_counts_and_the_file_column(client, auth, manager):
    auth.login(manager.email)
    mapping_url = upload(client, CRM).headers["Location"]
    fields = mapping_fields(client.get(mapping_url).get_data(as_text=True))
    posted = {**fields, **FILLS, "date_format": "", "preview": "Preview"}
    page = client.post(mapping_url.replace("/mapping", "/run"), data=posted)
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "2 cells in Renewal Date: ambiguous date: choose the date format" in body
    assert "<td>2</td><td><code>Renewal Date</code></td><td>03/04/2027</td>" in body
    assert db.session.scalar(select(Company.id)) is None


def test_an_unknown_date_format_or_decimal_separator_is_refused(client, auth, manager):
    auth.login(manager.email)
    mapping_url = upload(client, CRM).headers["Location"]
    fields = mapping_fields(client.get(mapping_url).get_data(as_text=True))
    for bad in ({"date_format": "YMD"}, {"decimal_separator": ";"}):
        page = client.post(
            mapping_url.replace("/mapping", "/run"), data={**fields, **FILLS, **bad, "apply": "A"}
        )
        assert page.status_code == 400 and "Not a valid choice" in page.get_data(as_text=True)
    assert db.session.scalar(select(Account.id)) is None


def test_a_constant_for_an_unknown_value_names_the_column(client, auth, manager):
    auth.login(manager.email)
    mapping_url = upload(client, CRM).headers["Location"]
    fields = mapping_fields(client.get(mapping_url).get_data(as_text=True))
    posted = {**fields, **FILLS, "fill-unit_type": "galaxy", "preview": "Preview"}
    page = client.post(mapping_url.replace("/mapping", "/run"), data=posted)
    body = html_lib.unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and "unit_type (set by the mapping)" in body
    assert db.session.scalar(select(Account.id)) is None


def test_an_invalid_attribute_key_from_the_mapping_page_is_refused(client, auth, manager):
    auth.login(manager.email)
    mapping_url = upload(client, CRM).headers["Location"]
    fields = mapping_fields(client.get(mapping_url).get_data(as_text=True))
    page = client.post(
        mapping_url.replace("/mapping", "/attribute"),
        data={**fields, "create": "4", "attr-key-4": "Health Score", "attr-type-4": "number"},
    )
    body = html_lib.unescape(page.get_data(as_text=True))
    assert page.status_code == 400
    assert "Column 'Health Score', attribute key: Use lower-case letters" in body
    assert db.session.scalar(select(CustomAttribute.id)) is None
