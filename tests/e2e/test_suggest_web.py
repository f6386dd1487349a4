"""Suggested segments over HTTP: pick features and k, read profiles, adopt as a scheme."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import CustomAttribute, TierScheme
from tests.factories import AccountFactory, CompanyFactory


@pytest.fixture
def book(db_session):
    """Small and large accounts, with an NPS custom attribute."""
    db_session.add(CustomAttribute(key="nps", label="NPS", data_type="number"))
    db_session.commit()
    for i in range(5):
        AccountFactory(
            arr_cents=(10_000 + i * 100) * 100,
            company=CompanyFactory(employees=40 + i),
            attributes={"nps": 10 + i},
        )
        AccountFactory(
            arr_cents=(400_000 + i * 1_000) * 100,
            company=CompanyFactory(employees=3_000 + i * 10),
            attributes={"nps": 60 + i},
        )


def test_manager_sees_the_feature_picker(client, auth, manager, book):
    auth.login(manager.email)

    page = client.get("/tiers/suggest").get_data(as_text=True)

    assert 'value="attr.nps"' in page and 'value="employees"' in page
    assert 'value="region"' not in page
    assert 'id="profiles"' not in page


def test_tiers_index_links_to_suggestions_for_managers(client, auth, manager, book):
    auth.login(manager.email)

    assert "/tiers/suggest" in client.get("/tiers/").get_data(as_text=True)


def test_suggestion_shows_profiles_chart_and_rules(client, auth, manager, book):
    auth.login(manager.email)

    response = client.get("/tiers/suggest?features=employees&features=attr.nps&k=2")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="profiles"' in page and "<td>Segment 1</td>" in page and "<td>Segment 2</td>" in page
    assert 'id="suggest-chart"' in page and '"type": "scatter"' in page
    assert "vendor/chart.umd.min.js" in page
    assert 'id="proposed-rules"' in page
    assert "The rules put 100% of accounts in their own cluster." in page
    assert 'id="adopt-form"' not in page  # managers see, admins adopt


def test_one_feature_draws_a_bar_chart(client, auth, manager, book):
    auth.login(manager.email)

    page = client.get("/tiers/suggest?features=arr&k=2").get_data(as_text=True)

    assert '"type": "bar"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("k=3", "Pick at least one numeric feature to cluster on."),
        ("features=arr&k=1", "k must be between 2 and 8, got 1."),
        ("features=arr&k=12", "k must be between 2 and 8, got 12."),
        ("features=arr&k=lots", "Not a valid integer value."),
        ("features=region&k=2", "Not a numeric field: region."),
    ],
    ids=["no features", "k too small", "k too large", "k not a number", "not numeric"],
)
def test_bad_input_gets_a_clear_message(client, auth, manager, book, query, message):
    auth.login(manager.email)

    response = client.get(f"/tiers/suggest?{query}")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_fewer_accounts_than_k_is_explained(client, auth, manager, db_session):
    AccountFactory(company=CompanyFactory(employees=10))
    auth.login(manager.email)

    response = client.get("/tiers/suggest?features=employees&k=3")

    assert response.status_code == 400
    assert "There are 1 accounts, fewer than k = 3: pick a smaller k." in response.get_data(
        as_text=True
    )


def test_csm_may_not_open_suggestions(client, auth, csm, book):
    auth.login(csm.email)

    assert client.get("/tiers/suggest").status_code == 403


def test_admin_turns_a_proposal_into_a_scheme_and_opens_the_builder(client, auth, admin, book):
    auth.login(admin.email)
    page = client.get("/tiers/suggest?features=employees&features=attr.nps&k=2")
    assert 'id="adopt-form"' in page.get_data(as_text=True)

    response = client.post(
        "/tiers/suggest/schemes",
        data={"features": "employees,attr.nps", "k": "2", "name": "NPS clusters"},
    )

    with Session(db.engine) as fresh:
        scheme = fresh.scalars(select(TierScheme).where(TierScheme.name == "NPS clusters")).one()
        definition = scheme.current.definition
    assert response.headers["Location"].endswith(f"/tiers/schemes/{scheme.id}/builder")
    assert scheme.dimension == "segment" and definition["method"] == "rules"
    builder = client.get(f"/tiers/schemes/{scheme.id}/builder").get_data(as_text=True)
    assert 'value="Segment 1"' in builder and 'id="rules-0-conditions-0-field"' in builder


def test_adopting_without_a_name_is_refused(client, auth, admin, book):
    auth.login(admin.email)

    response = client.post("/tiers/suggest/schemes", data={"features": "arr", "k": "2", "name": ""})

    assert response.status_code == 302
    assert "Name the new scheme" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_manager_may_not_adopt(client, auth, manager, book):
    auth.login(manager.email)

    response = client.post(
        "/tiers/suggest/schemes", data={"features": "arr", "k": "2", "name": "X"}
    )

    assert response.status_code == 403
