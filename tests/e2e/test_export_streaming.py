"""Book-sized exports stream a page of rows at a time, and the file they make is whole and in order."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from cstier.extensions import db
from cstier.models import Account, TierChange, UsageMetric
from cstier.services.exports import EXPORT_PAGE
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import CompanyFactory

ROWS = 2 * EXPORT_PAGE + 3  # three pages, the last one short


@pytest.fixture
def big_book(db_session):
    """ROWS accounts named in list order, each with one usage metric and one tier change."""
    company = CompanyFactory()
    scheme = next(s for s in ensure_default_schemes(db.session) if s.key == "value_tiers")
    db.session.execute(
        insert(Account),
        [
            {"id": n, "external_id": f"BK-{n:06d}", "name": f"Book {n:06d}"}
            | {"company_id": company.id, "arr_cents": n * 100, "lifecycle_stage": "active"}
            for n in range(1, ROWS + 1)
        ],
    )
    db.session.execute(
        insert(UsageMetric),
        [
            {"account_id": n, "metric": "logins", "period_start": date(2026, 1, 1), "value": n}
            for n in range(1, ROWS + 1)
        ],
    )
    db.session.execute(
        insert(TierChange),
        [
            {"account_id": n, "scheme_id": scheme.id, "dimension": "value", "from_tier": None}
            | {"to_tier": "Growth", "at": datetime(2026, 1, 5, tzinfo=UTC), "reason": "rule"}
            | {"scheme_version": 1, "explanation": f"ARR {n}"}
            for n in range(1, ROWS + 1)
        ],
    )
    db.session.commit()


def signed_in(client, auth, manager):
    auth.login(manager.email)
    return client


@pytest.mark.parametrize(
    ("kind", "key"),
    [("accounts", "external_id"), ("tier_history", "account_external_id")]
    + [("metrics", "account_external_id")],
)
def test_a_book_sized_csv_export_streams_every_row_in_order(
    client, auth, manager, big_book, kind, key
):
    response = signed_in(client, auth, manager).get(f"/imports/export/{kind}.csv")

    assert response.status_code == 200 and response.is_streamed
    chunks = list(response.response)
    first = chunks[0].decode("utf-8-sig")
    assert len(first.splitlines()) == EXPORT_PAGE + 1  # the header and one page, no more
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff") and text.count("\ufeff") == 1
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == ROWS
    assert [r[key] for r in rows] == [f"BK-{n:06d}" for n in range(1, ROWS + 1)]


def test_a_book_sized_accounts_xlsx_streams_and_holds_every_row(client, auth, manager, big_book):
    response = signed_in(client, auth, manager).get("/imports/export/accounts.xlsx")

    assert response.status_code == 200 and response.is_streamed
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).worksheets[0]
    rows = list(sheet.values)
    assert rows[0][:2] == ("external_id", "name")
    assert [r[0] for r in rows[1:]] == [f"BK-{n:06d}" for n in range(1, ROWS + 1)]
    assert rows[-1][rows[0].index("current_arr")] == f"{ROWS:.2f}"


def test_an_empty_export_streams_its_header(client, auth, manager):
    response = signed_in(client, auth, manager).get("/imports/export/metrics.csv")

    assert response.is_streamed
    assert response.get_data().decode("utf-8-sig").splitlines() == [
        "account_external_id,metric,period_start,value"
    ]


def test_a_refused_segment_export_sends_nothing(client, auth, manager, big_book):
    response = signed_in(client, auth, manager).get(
        "/imports/export/segment.csv?scheme=nope&tier=Growth"
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "No tier scheme with key &#39;nope&#39;" in page
