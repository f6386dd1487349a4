"""The account list's tier, segment and coverage columns: shown, filtered, sorted, exported."""

import csv
import html
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import CoverageModel, TierScheme
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.e2e.test_accounts_web import listed_names
from tests.factories import AccountFactory, CompanyFactory, UserFactory

JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def tiered_book(db_session):
    """Four accounts across value bands and regions, tiered with the default schemes."""
    ensure_default_schemes(db_session)
    db_session.commit()
    emea = CompanyFactory(name="Emea Co", employees=5000, region="EMEA", industry="Software")
    na = CompanyFactory(name="Na Co", employees=50, region="NA", industry="Retail")
    owner = UserFactory(role="csm", name="Casey Owner", email="casey@example.com")
    AccountFactory(name="Big", company=emea, arr_cents=300_000_00, csm=owner)
    AccountFactory(name="Huge", company=na, arr_cents=900_000_00)
    AccountFactory(name="Mid", company=emea, arr_cents=100_000_00)
    AccountFactory(name="Small", company=na, arr_cents=10_000_00)
    db_session.commit()
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)


def scheme_id(key: str) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(TierScheme.id).where(TierScheme.key == key))


def cells(html: str, key: str) -> list[str]:
    """Return the text of the list's cells of one scheme, in row order."""
    found = re.findall(rf'data-scheme="{key}">(.*?)</td>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def page(client, **args) -> str:
    response = client.get(f"/accounts/?{urlencode(args)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_list_shows_value_needs_segments_and_coverage(client, auth, manager, tiered_book):
    auth.login(manager.email)
    html = page(client, sort="arr", dir="desc")
    assert listed_names_of(html) == ["Huge", "Big", "Mid", "Small"]
    assert cells(html, "value_tiers") == ["Strategic", "Strategic", "Growth", "Scale"]
    assert len(cells(html, "needs_tiers")) == 4
    assert cells(html, "region") == ["NA", "EMEA", "EMEA", "NA"]
    for header in ("Value tiers", "Needs tiers", "Company size", "Region", "Vertical", "Coverage"):
        assert header in html
    with Session(db.engine) as fresh:
        models = set(fresh.scalars(select(CoverageModel.name)))
    table = html.split('id="account-table"', 1)[1]
    assert any(name in table for name in models)
    # Lesser columns hide on a phone; the value tier and ARR stay.
    assert 'class="d-none d-xl-table-cell"' in table
    assert 'data-scheme="value_tiers"' in table


def listed_names_of(html: str) -> list[str]:
    class Page:
        def get_data(self, as_text):
            return html

    return listed_names(Page())


def test_a_tier_filter_combines_with_others_and_stays_visible(client, auth, manager, tiered_book):
    auth.login(manager.email)
    value = scheme_id("value_tiers")
    html = page(client, tier_scheme=value, tier="Strategic", sort="arr", dir="desc")
    assert listed_names_of(html) == ["Huge", "Big"]
    chip = html.split('id="tier-filter"', 1)[1].split("</span>", 1)[0]
    assert "Value tiers: Strategic" in chip and "Clear the tier filter" in chip
    assert "tier_scheme" not in re.search(r'href="([^"]+)"', chip).group(1)
    # The form carries the tier filter, so adding a region keeps it.
    assert f'name="tier_scheme" type="hidden" value="{value}"' in html
    html = page(client, tier_scheme=value, tier="Strategic", region="EMEA")
    assert listed_names_of(html) == ["Big"]
    assert 'id="tier-filter"' in html
    assert 'id="tier-filter"' not in page(client, region="EMEA")


def test_a_tier_cell_links_to_its_filter(client, auth, manager, tiered_book):
    auth.login(manager.email)
    html = page(client, sort="name")
    value = scheme_id("value_tiers")
    assert f"tier_scheme={value}&amp;tier=Growth" in html


def test_sorts_by_tier_and_by_coverage(client, auth, manager, tiered_book):
    auth.login(manager.email)
    value = scheme_id("value_tiers")
    html = page(client, sort=f"tier:{value}", dir="asc")
    assert cells(html, "value_tiers") == ["Growth", "Scale", "Strategic", "Strategic"]
    html = page(client, sort=f"tier:{value}", dir="desc")
    assert cells(html, "value_tiers")[:2] == ["Strategic", "Strategic"]
    assert len(listed_names_of(page(client, sort="coverage", dir="desc"))) == 4


def test_filters_by_coverage_model(client, auth, manager, tiered_book):
    auth.login(manager.email)
    with Session(db.engine) as fresh:
        models = fresh.execute(select(CoverageModel.id, CoverageModel.name)).all()
    shown = 0
    for model_id, name in models:
        html = page(client, coverage_model=model_id)
        table = html.split('id="account-table"', 1)[1] if 'id="account-table"' in html else ""
        rows = listed_names_of(html)
        shown += len(rows)
        assert table.count(f">{name}<") == len(rows)
    assert shown <= 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"tier_scheme": "abc", "tier": "Gold"}, "'tier_scheme' must be an id"),
        ({"tier_scheme": "1", "tier": "x" * 61}, "'tier' may be at most 60 characters"),
        ({"coverage_model": "-1"}, "'coverage_model' must be an id"),
        ({"coverage_model": "1e3"}, "'coverage_model' must be an id"),
    ],
)
def test_bad_tier_and_coverage_arguments_are_refused_by_name(
    client, auth, manager, tiered_book, args, message
):
    auth.login(manager.email)
    response = client.get(f"/accounts/?{urlencode(args)}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_an_unknown_tier_or_scheme_lists_nothing(client, auth, manager, tiered_book):
    auth.login(manager.email)
    assert listed_names_of(page(client, tier_scheme=999_999, tier="Strategic")) == []
    assert listed_names_of(page(client, tier_scheme=scheme_id("value_tiers"), tier="Nope")) == []
    # An unknown sort falls back to the name.
    assert listed_names_of(page(client, sort="tier:abc")) == ["Big", "Huge", "Mid", "Small"]


def test_fewer_rows_than_a_page_are_counted_exactly_whatever_the_cap(
    app, client, auth, manager, tiered_book
):
    app.config["ACCOUNTS_COUNT_CAP"] = 1
    auth.login(manager.email)
    assert "4 accounts · page 1 of 1" in page(client, per_page=10)


def test_a_capped_count_past_the_cap(app, client, auth, manager, db_session):
    AccountFactory.create_batch(25)
    app.config["ACCOUNTS_COUNT_CAP"] = 12
    auth.login(manager.email)
    html = page(client, per_page=10)
    assert "More than 12 accounts · page 1" in html
    assert 'rel="next"' in html and "page-item disabled" in html  # Previous off, Next on
    third = page(client, per_page=10, page=3)
    assert len(listed_names_of(third)) == 5
    assert "25 accounts · page 3 of 3" in third  # counted up to the page asked for
    assert client.get("/accounts/?per_page=10&page=4").status_code == 404


def test_exports_carry_tiers_coverage_company_and_csm(client, auth, manager, tiered_book):
    auth.login(manager.email)
    value = scheme_id("value_tiers")
    query = urlencode({"tier_scheme": value, "tier": "Strategic", "sort": "arr", "dir": "desc"})
    response = client.get(f"/imports/export/accounts.csv?{query}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Huge", "Big"]
    big = rows[1]
    assert big["company_name"] == "Emea Co"
    assert (big["csm_name"], big["csm_email"]) == ("Casey Owner", "casey@example.com")
    assert big["tier.value_tiers"] == "Strategic"
    assert big["tier.region"] == "EMEA"
    for key in ("tier.needs_tiers", "tier.company_size", "tier.vertical", "coverage_model"):
        assert key in big
    assert rows[0]["csm_name"] == ""
