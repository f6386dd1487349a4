"""Defects found trying the product as a manager would, each held down by a test."""

import csv
import io
import re

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import CustomAttribute
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.e2e.test_tiers_web import JAN, MAR
from tests.factories import AccountFactory, CompanyFactory


@pytest.fixture
def book(db_session):
    """The Scale tier holds the most ARR, Strategic the least: ARR order is not rank order."""
    ensure_default_schemes(db_session)
    db_session.add_all(
        [
            CustomAttribute(key="nps", label="NPS", data_type="number"),
            CustomAttribute(key="reference", label="Reference", data_type="boolean"),
        ]
    )
    db_session.commit()
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    accounts = {
        "strategic": AccountFactory(name="Top", company=company, arr_cents=260_000_00,
                                    attributes={"nps": 4.0, "reference": False}),
        "growth": AccountFactory(name="Mid", company=company, arr_cents=200_000_00),
    }  # fmt: skip
    for n in range(10):
        AccountFactory(name=f"Small {n}", company=company, arr_cents=45_000_00)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    return accounts


def tier_order(html: str, scheme: str) -> list[str]:
    card = html.split(f">{scheme}</a>", 1)[1].split("</table>", 1)[0]
    return re.findall(r"tier=[^\"]+\">([^<]+)</a>", card)


def test_tiers_are_listed_in_rank_order_and_stay_so_after_a_run(client, auth, manager, book):
    auth.login(manager.email)
    assert tier_order(client.get("/tiers/").get_data(as_text=True), "Value tiers") == [
        "Strategic",
        "Growth",
        "Scale",
    ]
    mid = book["growth"]
    db.session.execute(
        db.update(type(mid)).where(type(mid).id == mid.id).values(arr_cents=10_000_00)
    )
    db.session.commit()
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=MAR)
    html = client.get("/tiers/").get_data(as_text=True)
    assert tier_order(html, "Value tiers") == ["Strategic", "Scale"]


def test_the_as_of_page_lists_tiers_in_rank_order(client, auth, manager, book):
    auth.login(manager.email)
    html = client.get("/tiers/as-of?date=2026-02-01").get_data(as_text=True)
    card = html.split(">Value tiers</a>", 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<td>(Strategic|Growth|Scale)</td>", card) == [
        "Strategic",
        "Growth",
        "Scale",
    ]


def test_the_runs_table_names_schemes_not_their_keys(client, auth, manager, book):
    auth.login(manager.email)
    runs = client.get("/tiers/").get_data(as_text=True).split('id="run-table"', 1)[1]
    assert "Value tiers: 12" in runs and "value_tiers" not in runs


def test_the_segment_export_offers_schemes_and_tiers_as_choices(client, auth, manager, book):
    auth.login(manager.email)
    page = client.get("/imports/").get_data(as_text=True)
    assert '<option value="value_tiers">Value tiers</option>' in page
    assert '<optgroup label="Value tiers"><option value="Strategic">' in page
    assert 'placeholder="value"' not in page


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("tier", ["Strategic", "strategic", " STRATEGIC "])
def test_the_segment_export_matches_a_tier_whatever_its_case(client, auth, manager, book, tier):
    auth.login(manager.email)
    response = client.get(
        "/imports/export/segment.csv", query_string={"scheme": "value_tiers", "tier": tier}
    )
    assert response.status_code == 200
    assert [r["name"] for r in rows(response)] == ["Top"]


@pytest.mark.parametrize(
    ("scheme", "tier", "message"),
    [
        ("value", "Strategic", "No tier scheme with key &#39;value&#39;; the keys are"),
        (
            "value_tiers",
            "High",
            "Value tiers has no tier &#39;High&#39;; choose one of Strategic, Growth, Scale.",
        ),
        ("value_tiers", "", "A segment export needs a scheme and a tier."),
    ],
    ids=["key of the old hint", "tier of another scheme", "no tier"],
)
def test_a_bad_segment_is_refused_with_what_to_choose(
    client, auth, manager, book, scheme, tier, message
):
    auth.login(manager.email)
    response = client.get(
        "/imports/export/segment.csv",
        query_string={"scheme": scheme, "tier": tier},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)


def test_csv_exports_say_their_charset_once(client, auth, manager, book):
    auth.login(manager.email)
    response = client.get("/imports/export/accounts.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_attributes_read_as_written_on_the_page_and_in_the_export(client, auth, manager, book):
    auth.login(manager.email)
    page = client.get(f"/accounts/{book['strategic'].id}").get_data(as_text=True)
    assert '<dd class="col-sm-8">no</dd>' in page and '<dd class="col-sm-8">4</dd>' in page
    assert "False" not in page.split("Custom attributes", 1)[1].split("</dl>", 1)[0]
    exported = {r["name"]: r for r in rows(client.get("/imports/export/accounts.csv"))}
    assert (exported["Top"]["attr.nps"], exported["Top"]["attr.reference"]) == ("4", "no")


def test_greyed_out_pager_links_go_nowhere(client, auth, manager, book):
    auth.login(manager.email)
    html = client.get("/accounts/?per_page=10").get_data(as_text=True)
    assert "page=0" not in html
    assert '<span class="page-link" aria-disabled="true">Previous</span>' in html
    last = client.get("/accounts/?per_page=10&page=2").get_data(as_text=True)
    assert "page=3" not in last
    assert '<span class="page-link" aria-disabled="true">Next</span>' in last
    for link in re.findall(r'class="page-link" href="([^"]+)"', html + last):
        assert client.get(link.replace("&amp;", "&")).status_code == 200
