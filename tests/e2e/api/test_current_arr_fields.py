"""Current ARR is a field of the account in the API, the account list and its export."""

import csv
import io

from cstier.extensions import db
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.metrics.conftest import subscribe


def _book():
    company = CompanyFactory()
    running = AccountFactory(company=company, name="Running", arr_cents=5_00)
    ended = AccountFactory(company=company, name="Ended", arr_cents=7_00)
    bare = AccountFactory(company=company, name="Bare", arr_cents=9_00)
    subscribe(running, "2024-01-01", None, 100_00)
    subscribe(ended, "2024-01-01", "2024-06-01", 100_00)
    db.session.commit()
    return {"Running": running, "Ended": ended, "Bare": bare}


EXPECTED = {"Running": 1_200_00, "Ended": 0, "Bare": 9_00}


def test_api_lists_and_reads_current_arr(client, bearer, manager):
    book = _book()
    body = client.get("/api/v1/accounts", headers=bearer(manager)).get_json()
    assert {a["name"]: a["current_arr_cents"] for a in body} == EXPECTED
    one = client.get(f"/api/v1/accounts/{book['Ended'].id}", headers=bearer(manager)).get_json()
    assert (one["current_arr_cents"], one["arr_cents"]) == (0, 7_00)


def test_list_and_export_show_current_arr(client, auth, manager):
    _book()
    auth.login(manager.email)
    html = client.get("/accounts/").get_data(as_text=True)
    assert ">$1,200<" in html
    data = client.get("/imports/export/accounts.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(data))}
    assert {n: r["current_arr"] for n, r in rows.items()} == {
        "Running": "1200.00",
        "Ended": "0.00",
        "Bare": "9.00",
    }
