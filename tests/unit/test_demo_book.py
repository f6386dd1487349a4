"""The demo book generator: reproducible, realistic, consistent."""

from datetime import date

import pandas as pd
import pytest

from cstier.domain.customer import CONTACT_ROLES, LIFECYCLE_STAGES, REGIONS
from cstier.domain.demo_book import COUNTRIES, DEMO_USERS, NEED_CODES, generate_book
from cstier.domain.permissions import ROLES

AS_OF = date(2025, 6, 1)


@pytest.fixture(scope="module")
def book():
    return generate_book(2_000, seed=42, as_of=AS_OF)


def test_same_seed_gives_same_book(book):
    again = generate_book(2_000, seed=42, as_of=AS_OF)
    for name in ("companies", "departments", "contacts", "accounts", "users", "needs"):
        pd.testing.assert_frame_equal(getattr(book, name), getattr(again, name))


def test_other_seed_gives_other_book(book):
    other = generate_book(2_000, seed=43, as_of=AS_OF)
    assert not other.accounts["arr_cents"].equals(book.accounts["arr_cents"])
    assert list(other.users["password"]) != list(book.users["password"])


def test_logins_do_not_depend_on_book_size(book):
    smaller = generate_book(50, seed=42, as_of=AS_OF)
    assert list(smaller.users["password"]) == list(book.users["password"])


@pytest.mark.parametrize("accounts", [1, 9, 10, 57, 2_000])
def test_exact_account_count_and_unique_ids(accounts):
    generated = generate_book(accounts, seed=1, as_of=AS_OF)
    assert len(generated.accounts) == accounts
    for frame in (generated.companies, generated.departments, generated.contacts):
        assert frame["id"].is_unique and frame["external_id"].is_unique
    assert generated.accounts["external_id"].is_unique


def test_mostly_one_company_account_per_company(book):
    accounts = book.accounts
    company_units = accounts[accounts["unit_type"] == "company"]
    assert company_units["company_id"].is_unique
    assert len(company_units) == len(book.companies)
    assert 0.05 < (accounts["unit_type"] == "department").mean() < 0.25


def test_department_accounts_point_at_their_companys_departments(book):
    dept_accounts = book.accounts[book.accounts["unit_type"] == "department"]
    departments = book.departments.set_index("id")
    assert dept_accounts["department_id"].notna().all()
    assert dept_accounts["department_id"].is_unique
    owners = departments.loc[dept_accounts["department_id"].to_numpy(), "company_id"]
    assert (owners.to_numpy() == dept_accounts["company_id"].to_numpy()).all()
    company_accounts = book.accounts[book.accounts["unit_type"] == "company"]
    assert company_accounts["department_id"].isna().all()


def test_arr_is_long_tailed(book):
    arr = book.accounts["arr_cents"]
    assert arr.median() < 0.6 * arr.mean()
    assert (arr > 250_000_00).sum() >= 3
    assert (arr > 0).all()
    assert arr.dtype.kind == "i"  # integer cents, never float


def test_plans_follow_arr(book):
    median_by_plan = book.accounts.groupby("plan", observed=True)["arr_cents"].median()
    assert median_by_plan["Starter"] < median_by_plan["Pro"] < median_by_plan["Enterprise"]


def test_regions_and_countries_are_consistent(book):
    companies = book.companies
    assert set(companies["region"].unique()) == set(REGIONS)
    for region, country in zip(companies["region"], companies["country"], strict=True):
        assert country in COUNTRIES[region]


def test_some_companies_are_subsidiaries_of_top_level_parents(book):
    companies = book.companies.set_index("id")
    subsidiaries = companies[companies["parent_id"].notna()]
    assert 0 < len(subsidiaries) < 0.2 * len(companies)
    parents = companies.loc[subsidiaries["parent_id"].astype(int)]
    assert parents["parent_id"].isna().all()


def test_every_company_has_a_buying_group(book):
    roles = book.contacts.groupby("company_id")["role"].agg(set)
    assert set(book.contacts["role"].unique()) == set(CONTACT_ROLES)
    assert roles.map(lambda r: {"decision_maker", "economic_buyer", "champion"} <= r).all()
    assert len(roles) == len(book.companies)


def test_contacts_sit_in_their_own_companys_departments(book):
    departments = book.departments.set_index("id")["company_id"]
    owners = departments.loc[book.contacts["department_id"].to_numpy()].to_numpy()
    assert (owners == book.contacts["company_id"].to_numpy()).all()


def test_lifecycle_is_mostly_active_and_dates_make_sense(book):
    accounts = book.accounts
    stages = accounts["lifecycle_stage"].value_counts(normalize=True)
    assert set(stages.index) == set(LIFECYCLE_STAGES)
    assert stages["active"] > 0.6
    as_of = pd.Timestamp(AS_OF)
    assert (accounts["contract_start_date"] <= as_of).all()
    live = accounts[accounts["lifecycle_stage"] != "churned"]
    assert (live["renewal_date"] > as_of).all()
    churned = accounts[accounts["lifecycle_stage"] == "churned"]
    assert (churned["renewal_date"] <= as_of).all()


def test_users_cover_every_role_and_own_most_accounts(book):
    users = book.users
    assert set(users["role"]) == set(ROLES)
    assert users["role"].value_counts().to_dict() == {
        "csm": 8, "cs_manager": 2, "admin": 1, "viewer": 1
    }  # fmt: skip
    assert users["email"].str.endswith("@demo.cstier.io").all()
    assert (users["password"].str.len() >= 12).all()
    csm_ids = set(users.loc[users["role"] == "csm", "id"])
    owners = book.accounts["csm_id"].dropna()
    assert set(owners) <= csm_ids and len(set(owners)) == len(csm_ids)
    assert 0.05 < book.accounts["csm_id"].isna().mean() < 0.4
    assert len(DEMO_USERS) == len(users)


def test_custom_attribute_columns(book):
    accounts = book.accounts
    assert set(accounts["attr_crm"].unique()) <= {"Salesforce", "HubSpot", "Dynamics", "None"}
    assert accounts["attr_uses_sso"].dtype == bool
    assert (accounts["attr_seats"] >= 1).all()
    nps = accounts["attr_nps"].dropna()
    assert nps.between(0, 10).all() and 0 < len(nps) < len(accounts)
    assert {a["key"] for a in book.custom_attributes} == {"crm", "uses_sso", "seats", "nps"}


def test_refuses_an_empty_book():
    with pytest.raises(ValueError):
        generate_book(0, seed=1)


def test_needs_belong_to_accounts_and_grow_with_the_plan(book):
    needs = book.needs
    assert needs["account_id"].isin(book.accounts["id"]).all()
    assert needs["external_id"].is_unique
    assert set(needs["code"]) <= set(NEED_CODES)
    # A CSM-validated need carries no survey importance; a survey answer rates 1 to 5.
    validated = needs[needs["validated"]]
    survey = needs[~needs["validated"]]
    assert (validated["source"] == "csm").all() and validated["importance"].isna().all()
    assert (survey["source"] == "survey").all() and survey["importance"].between(1, 5).all()
    assert (pd.Series(needs["captured_on"]) <= pd.Timestamp(AS_OF)).all()
    per_account = needs.groupby("account_id").size().reindex(book.accounts["id"], fill_value=0)
    by_plan = per_account.groupby(book.accounts["plan"].to_numpy(), observed=True).mean()
    assert by_plan["Starter"] < by_plan["Pro"] < by_plan["Enterprise"]
