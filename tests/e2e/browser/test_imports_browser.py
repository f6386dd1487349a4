"""Import a CRM export with its own headers in a real Chromium: synonyms, fills, formats, apply."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Account, Company
from tests.queue import work_queue

pytestmark = pytest.mark.browser

CRM = (
    "Customer ID,Customer Name,Annual Recurring Revenue,Contract End,Plan\n"
    'C-1,Acme Corp,"$1,234.50",03/04/2027,Gold\n'
    'C-2,Globex,"$250,000.00",31/12/2027,Silver\n'
)


def test_a_file_with_synonym_headers_imports(page, signed_in, app, live_server, manager, tmp_path):
    export = tmp_path / "crm-export.csv"
    export.write_text(CRM, encoding="utf-8")
    signed_in(manager.email)
    page.goto(f"{live_server}/imports/")
    page.select_option("select[name=kind]", "accounts")
    page.set_input_files("input[name=file]", str(export))
    page.click("#upload-form input[type=submit]")

    expect(page.locator("h1")).to_have_text("Map columns")
    for index, column in enumerate(["external_id", "name", "arr", "renewal_date", "plan"]):
        expect(page.locator(f"select[name=map-{index}]")).to_have_value(column)
    page.click("#mapping-fills summary")
    page.fill("input[name=fill-unit_type]", "company")
    page.fill("input[name=fill-lifecycle_stage]", "active")
    page.select_option("select[name=date_format]", "DMY")
    page.check("input[name=companies]")
    page.click("input[name=preview]")

    expect(page.locator("#import-counts")).to_contain_text("Would create")
    page.click("input[name=apply]")
    expect(page.locator("#job-state")).to_have_text("queued")
    work_queue(app)  # the scheduler process's worker; the page polls until the job is done
    expect(page.locator("#job-message")).to_contain_text("Imported 2 rows: 2 created")
    with app.app_context():
        acme = db.session.scalar(select(Account).where(Account.external_id == "C-1"))
        assert (acme.arr_cents, acme.renewal_date.isoformat()) == (123450, "2027-04-03")
        assert db.session.scalar(select(Company.name).where(Company.id == acme.company_id)) == (
            "Acme Corp"
        )
