"""Generate a realistic, reproducible B2B customer book as DataFrames (no database).

Every column is drawn for all rows at once (numpy); low-cardinality text (region, role,
plan…) is categorical and ids are 1..n per table.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cstier.domain.demo_draw import (
    category,
    external_ids,
    pick,
    rank_within,
    text_column,
)
from cstier.domain.demo_names import (
    CONTACT_ROLES,
    DEPARTMENT_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_CORES,
    NAME_ENDS,
    NAME_STARTS,
    TITLES,
)
from cstier.domain.demo_subscriptions import HISTORY_DAYS, generate_subscriptions

__all__ = ["ATTRIBUTE_COLUMNS", "DEMO_USERS", "HISTORY_DAYS", "DemoBook", "generate_book"]

DEMO_EMAIL_DOMAIN = "demo.cstier.io"
DEPARTMENT_ACCOUNT_SHARE = 0.12
SUBSIDIARY_SHARE = 0.06
PASSWORD_ALPHABET = np.array(list("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"))

REGIONS = {"NA": 0.45, "EMEA": 0.30, "APAC": 0.17, "LATAM": 0.08}
COUNTRIES = {
    "NA": {"US": 0.85, "CA": 0.15},
    "EMEA": {"GB": 0.25, "DE": 0.22, "FR": 0.15, "NL": 0.1, "SE": 0.08, "ES": 0.08, "IE": 0.06,
             "AE": 0.06},
    "APAC": {"AU": 0.3, "JP": 0.22, "SG": 0.18, "IN": 0.2, "NZ": 0.1},
    "LATAM": {"BR": 0.45, "MX": 0.3, "AR": 0.1, "CL": 0.08, "CO": 0.07},
}  # fmt: skip
ALL_COUNTRIES = np.array([c for shares in COUNTRIES.values() for c in shares], dtype=object)
INDUSTRIES = {
    "Software": 0.24, "Financial services": 0.14, "Healthcare": 0.12, "Manufacturing": 0.13,
    "Retail": 0.11, "Education": 0.08, "Media": 0.08, "Logistics": 0.10,
}  # fmt: skip
PLANS = ("Starter", "Pro", "Enterprise")
LIFECYCLE = ("onboarding", "active", "at_risk", "churned")  # same order as the domain's stages
PLAN_ARR_THRESHOLDS = (10_000, 75_000)  # dollars: Starter below, Enterprise above
CRM_CHOICES = ("Salesforce", "HubSpot", "Dynamics", "None")
# Rows are plans (Starter, Pro, Enterprise): chance of each CRM, and of using SSO.
CRM_BY_PLAN = np.array([[0.15, 0.45, 0.05, 0.35], [0.4, 0.35, 0.12, 0.13], [0.7, 0.08, 0.2, 0.02]])
SSO_BY_PLAN = np.array([0.1, 0.45, 0.9])
UNASSIGNED_BY_PLAN = np.array([0.35, 0.08, 0.0])

CUSTOM_ATTRIBUTES = (
    {"key": "crm", "label": "CRM", "data_type": "choice", "category": "technographic",
     "choices": list(CRM_CHOICES)},
    {"key": "uses_sso", "label": "Uses SSO", "data_type": "boolean", "category": "technographic",
     "choices": []},
    {"key": "seats", "label": "Licensed seats", "data_type": "number", "category": "behavioural",
     "choices": []},
    {"key": "nps", "label": "NPS (last survey, 0-10)", "data_type": "number",
     "category": "psychographic", "choices": []},
)  # fmt: skip
ATTRIBUTE_COLUMNS = {a["key"]: f"attr_{a['key']}" for a in CUSTOM_ATTRIBUTES}
# Needs customers express (survey) and CSMs validate; bigger plans ask for more.
NEED_CODES = {
    "integration_help": 0.24, "executive_reporting": 0.16, "sso_setup": 0.14,
    "data_migration": 0.14, "admin_training": 0.18, "api_access": 0.14,
}  # fmt: skip
NEEDS_BY_PLAN = np.array([1.2, 2.8, 4.5])  # mean needs per account: Starter, Pro, Enterprise
VALIDATED_SHARE = 0.65

DEMO_USERS = (  # (email local part, role, name); user ids follow this order from 1
    ("admin", "admin", "Morgan Reyes"),
    ("manager1", "cs_manager", "Priya Natarajan"),
    ("manager2", "cs_manager", "Tom Becker"),
    ("csm1", "csm", "Ana Souza"),
    ("csm2", "csm", "Ben Carter"),
    ("csm3", "csm", "Chloe Martin"),
    ("csm4", "csm", "Daniel Okafor"),
    ("csm5", "csm", "Elena Fischer"),
    ("csm6", "csm", "Farah Khan"),
    ("csm7", "csm", "Kenji Watanabe"),
    ("csm8", "csm", "Lucia Gomez"),
    ("viewer", "viewer", "Sam Patel"),
)
CSM_TEAMS = {"NA": (4, 5, 6), "EMEA": (7, 8), "APAC": (9, 10), "LATAM": (11,)}  # user ids


@dataclass(frozen=True)
class DemoBook:
    """A generated book: one DataFrame per table, with ids that reference each other."""

    companies: pd.DataFrame
    departments: pd.DataFrame
    contacts: pd.DataFrame
    accounts: pd.DataFrame
    users: pd.DataFrame
    needs: pd.DataFrame
    subscriptions: pd.DataFrame
    custom_attributes: tuple[dict, ...] = CUSTOM_ATTRIBUTES


def _company_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return unique display names and domains for n companies."""
    stems = (NAME_STARTS[:, None] + NAME_CORES[None, :]).ravel()
    ends = " " + NAME_ENDS
    space = len(stems) * len(ends)
    combo = np.resize(rng.permutation(space), n)
    stem, end = np.divmod(combo, len(ends))
    # Past the name space a round number keeps names and domains unique.
    laps = np.arange(n // space + 1)
    lap = np.arange(n) // space
    name_suffix = np.array([""] + [f" {i + 1}" for i in laps[1:]], dtype=object)
    domain_suffix = np.array([f"{i + 1 if i else ''}.example.com" for i in laps], dtype=object)
    names = stems[stem] + ends[end] + name_suffix[lap]
    domains = np.char.lower(stems.astype(str)).astype(object)[stem] + domain_suffix[lap]
    return names, domains


def _countries(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """Draw a country (index into ALL_COUNTRIES) consistent with each region."""
    country = np.empty(len(region), dtype=np.int64)
    first = 0
    for code, shares in enumerate(COUNTRIES.values()):
        mask = region == code
        country[mask] = first + pick(rng, shares, int(mask.sum()))
        first += len(shares)
    return country


def _companies(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Generate companies with long-tailed size, region-consistent countries and parents."""
    ids = np.arange(1, n + 1)
    names, domains = _company_names(rng, n)
    region = pick(rng, REGIONS, n)
    country = _countries(rng, region)
    industry = pick(rng, INDUSTRIES, n)
    employees = np.clip(rng.lognormal(np.log(150), 1.6, n), 5, 400_000).astype(np.int64)
    revenue_per_employee = rng.lognormal(np.log(180_000), 0.5, n)
    revenue_cents = (employees * revenue_per_employee).round(-3).astype(np.int64) * 100
    parent_id = np.zeros(n, dtype=np.int64)
    n_subsidiaries = int(n * SUBSIDIARY_SHARE)
    if n_subsidiaries >= 4:
        # The biggest companies are the groups; subsidiaries come from the rest.
        parents = np.argsort(-employees, kind="stable")[: n_subsidiaries // 4]
        is_other = np.ones(n, dtype=bool)
        is_other[parents] = False
        others = np.flatnonzero(is_other)
        subsidiaries = rng.choice(others, size=n_subsidiaries, replace=False)
        group = parents[rng.integers(0, len(parents), n_subsidiaries)]
        parent_id[subsidiaries] = ids[group]
        industry[subsidiaries] = industry[group]
        code = ALL_COUNTRIES[country[subsidiaries]]
        names[subsidiaries] = names[group] + " (" + code + ")"
        domains[subsidiaries] = (
            np.char.lower(code.astype(str)).astype(object) + "." + domains[group]
        )
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": external_ids("demo-co-", ids),
            "name": text_column(names),
            "domain": text_column(domains),
            "industry": category(industry, INDUSTRIES),
            "region": category(region, REGIONS),
            "country": category(country, ALL_COUNTRIES),
            "employees": employees,
            "annual_revenue_cents": revenue_cents,
            "parent_id": pd.Series(parent_id).where(parent_id > 0).astype("Int64"),
        }
    )


def _departments(rng: np.random.Generator, companies: pd.DataFrame) -> pd.DataFrame:
    """Give every company 1-10 distinct departments, more for bigger companies."""
    log_size = np.log10(companies["employees"].to_numpy())
    counts = np.clip(1 + rng.poisson(np.maximum(0.0, log_size - 1.5)), 1, len(DEPARTMENT_NAMES))
    offset = np.repeat(rng.integers(0, len(DEPARTMENT_NAMES), len(counts)), counts)
    ids = np.arange(1, counts.sum() + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": external_ids("demo-dp-", ids),
            "company_id": np.repeat(companies["id"].to_numpy(), counts),
            "name": category(
                (offset + rank_within(counts)) % len(DEPARTMENT_NAMES), DEPARTMENT_NAMES
            ),
        }
    )


def _contacts(
    rng: np.random.Generator, companies: pd.DataFrame, departments: pd.DataFrame
) -> pd.DataFrame:
    """Give every company a buying group: decision maker, buyer, champion, admin, users."""
    log_size = np.log10(companies["employees"].to_numpy())
    counts = np.clip(3 + rng.poisson(np.maximum(0.2, log_size - 1.4)), 3, 12)
    company_index = np.repeat(np.arange(len(companies)), counts)
    n = len(company_index)
    role = np.minimum(rank_within(counts), len(CONTACT_ROLES) - 1)
    title_counts = np.array([len(t) for t in TITLES])
    title = (np.cumsum(title_counts) - title_counts)[role] + (
        rng.random(n) * title_counts[role]
    ).astype(np.int64)
    dept_counts = np.bincount(departments["company_id"].to_numpy() - 1, minlength=len(counts))
    dept_first = np.cumsum(dept_counts) - dept_counts + 1
    dept_id = dept_first[company_index] + (rng.random(n) * dept_counts[company_index]).astype(int)
    person = rng.integers(0, len(FIRST_NAMES) * len(LAST_NAMES), n)
    names = (FIRST_NAMES[:, None] + " " + LAST_NAMES[None, :]).ravel()
    emails = (FIRST_NAMES[:, None] + "." + LAST_NAMES[None, :]).ravel()
    emails = np.char.lower(emails.astype(str)).astype(object)
    at_domain = "@" + companies["domain"].to_numpy(dtype=object)
    ids = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": external_ids("demo-ct-", ids),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": dept_id,
            "name": text_column(names[person]),
            "email": text_column(emails[person] + at_domain[company_index]),
            "title": category(title, [t for group in TITLES for t in group]),
            "role": category(role, CONTACT_ROLES),
        }
    )


def _account_units(
    rng: np.random.Generator, companies: pd.DataFrame, departments: pd.DataFrame, extra: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return company index, department id (0: none) and name for each account."""
    company_names = companies["name"].to_numpy(dtype=object)
    dept_company = departments["company_id"].to_numpy() - 1
    # Gumbel top-k samples departments without replacement, bigger companies likelier.
    keys = np.log(companies["employees"].to_numpy()[dept_company])
    keys = keys + rng.gumbel(size=len(keys))
    chosen = np.sort(np.argpartition(-keys, extra - 1)[:extra]) if extra else np.zeros(0, int)
    dept_names = np.asarray(departments["name"].to_numpy(), dtype=object)[chosen]
    company_index = np.concatenate([np.arange(len(companies)), dept_company[chosen]])
    department_id = np.concatenate([np.zeros(len(companies), np.int64), chosen + 1])
    dept_account_names = company_names[dept_company[chosen]] + " - " + dept_names
    return company_index, department_id, np.concatenate([company_names, dept_account_names])


def _arr_dollars(
    rng: np.random.Generator, employees: np.ndarray, is_dept: np.ndarray
) -> np.ndarray:
    """Draw long-tailed (lognormal) ARR in whole hundreds of dollars, growing with size."""
    median = np.where(is_dept, 6_000.0, 12_000.0)
    size_effect = 0.55 * (np.log(employees) - np.log(150))
    log_arr = np.log(median) + size_effect + rng.normal(0, 0.9, len(employees))
    return np.maximum(1_200, np.round(np.exp(log_arr), -2))


def _contract_dates(
    rng: np.random.Generator, n: int, as_of: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return contract start dates, days since start and term (days); recent starts likelier."""
    days = (5 * 365 * rng.random(n) ** 1.3).astype(np.int64)
    term = 365 * rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    return np.datetime64(as_of, "D") - days, days, term


def _lifecycle(rng: np.random.Generator, days: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Onboarding in the first 90 days; churn only at a passed renewal; mostly active."""
    u = rng.random(len(days))
    stage = np.where(u < 0.11, 2, 1)  # indexes into LIFECYCLE: at_risk, active
    stage[(days >= term) & (u < 0.07)] = 3
    stage[days < 90] = 0
    return stage


def _csm_ids(rng: np.random.Generator, region: np.ndarray, plan: np.ndarray) -> pd.Series:
    """Assign CSMs from each region's team; leave a share of small accounts unassigned."""
    csm = np.zeros(len(region), dtype=np.int64)
    for code, team in enumerate(CSM_TEAMS.values()):
        mask = region == code
        csm[mask] = np.array(team)[rng.integers(0, len(team), int(mask.sum()))]
    unassigned = rng.random(len(region)) < UNASSIGNED_BY_PLAN[plan]
    return pd.Series(csm).where(~unassigned).astype("Int64")


def _attributes(
    rng: np.random.Generator, plan: np.ndarray, arr: np.ndarray, stage: np.ndarray
) -> dict[str, object]:
    """Return the custom attribute columns (crm, uses_sso, seats, nps) for each account."""
    n = len(plan)
    crm = (rng.random(n)[:, None] > CRM_BY_PLAN.cumsum(axis=1)[plan]).sum(axis=1)
    seats = np.maximum(1, np.round(arr / rng.lognormal(np.log(480), 0.3, n))).astype(np.int64)
    nps_mean = np.select([stage == 2, stage == 3], [5.0, 4.0], 8.0)
    nps = np.clip(np.round(rng.normal(nps_mean, 1.8)), 0, 10)
    surveyed = rng.random(n) < 0.65
    return {
        ATTRIBUTE_COLUMNS["crm"]: category(np.minimum(crm, len(CRM_CHOICES) - 1), CRM_CHOICES),
        ATTRIBUTE_COLUMNS["uses_sso"]: rng.random(n) < SSO_BY_PLAN[plan],
        ATTRIBUTE_COLUMNS["seats"]: seats,
        ATTRIBUTE_COLUMNS["nps"]: pd.Series(nps).where(surveyed).astype("Int64"),
    }


def _accounts(
    rng: np.random.Generator,
    companies: pd.DataFrame,
    departments: pd.DataFrame,
    extra: int,
    as_of: date,
) -> pd.DataFrame:
    """Generate the accounts: ARR, plan, dates, stage, owner and custom attributes."""
    company_index, department_id, names = _account_units(rng, companies, departments, extra)
    n = len(company_index)
    employees = companies["employees"].to_numpy()[company_index]
    arr = _arr_dollars(rng, employees, department_id > 0)
    noisy_arr = np.log(arr) + rng.normal(0, 0.35, n)
    plan = np.searchsorted(np.log(PLAN_ARR_THRESHOLDS), noisy_arr)
    start, days, term = _contract_dates(rng, n, as_of)
    stage = _lifecycle(rng, days, term)
    # The next renewal is ahead; a churned account stopped at its last one.
    terms_done = days // term + np.where(stage == 3, 0, 1)
    ids = np.arange(1, n + 1)
    region = companies["region"].cat.codes.to_numpy()[company_index]
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": external_ids("demo-ac-", ids),
            "name": text_column(names),
            "unit_type": category((department_id > 0).astype(int), ("company", "department")),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": pd.Series(department_id).where(department_id > 0).astype("Int64"),
            "csm_id": _csm_ids(rng, region, plan),
            "arr_cents": arr.astype(np.int64) * 100,
            "plan": category(plan, PLANS),
            "lifecycle_stage": category(stage, LIFECYCLE),
            "contract_start_date": start,
            "renewal_date": start + terms_done * term,
            **_attributes(rng, plan, arr, stage),
        }
    )


def _needs(rng: np.random.Generator, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Generate expressed needs: survey answers with an importance, some validated by a CSM."""
    plan = accounts["plan"].cat.codes.to_numpy()
    counts = np.minimum(rng.poisson(NEEDS_BY_PLAN[plan]), len(NEED_CODES))
    owner = np.repeat(accounts["id"].to_numpy(), counts)
    n = len(owner)
    validated = rng.random(n) < VALIDATED_SHARE
    ids = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": external_ids("demo-nd-", ids),
            "account_id": owner,
            "code": text_column(np.array(list(NEED_CODES), dtype=object)[pick(rng, NEED_CODES, n)]),
            "source": text_column(np.where(validated, "csm", "survey").astype(object)),
            "validated": validated,
            "importance": pd.Series(rng.integers(1, 6, n)).where(~validated).astype("Int64"),
            "captured_on": np.datetime64(as_of, "D") - rng.integers(0, 365, n).astype("m8[D]"),
        }
    )


def _users(rng: np.random.Generator) -> pd.DataFrame:
    """Return the demo users with passwords drawn from the seed (same seed, same logins)."""
    chars = PASSWORD_ALPHABET[rng.integers(0, len(PASSWORD_ALPHABET), (len(DEMO_USERS), 12))]
    passwords = ["-".join("".join(row[i : i + 4]) for i in range(0, 12, 4)) for row in chars]
    return pd.DataFrame(
        {
            "id": np.arange(1, len(DEMO_USERS) + 1),
            "email": text_column(np.array([f"{u}@{DEMO_EMAIL_DOMAIN}" for u, _, _ in DEMO_USERS])),
            "name": text_column(np.array([name for _, _, name in DEMO_USERS], dtype=object)),
            "role": text_column(np.array([role for _, role, _ in DEMO_USERS], dtype=object)),
            "password": text_column(np.array(passwords, dtype=object)),
        }
    )


def generate_book(accounts: int, seed: int, as_of: date | None = None) -> DemoBook:
    """Generate a book of exactly `accounts` accounts; the same seed gives the same book."""
    if accounts < 1:
        raise ValueError("A demo book needs at least one account.")
    as_of = as_of or date.today()
    book_seed, login_seed = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(book_seed)
    extra = round(accounts * DEPARTMENT_ACCOUNT_SHARE) if accounts >= 10 else 0
    companies = _companies(rng, accounts - extra)
    departments = _departments(rng, companies)
    contacts = _contacts(rng, companies, departments)
    accounts_frame = _accounts(rng, companies, departments, extra, as_of)
    churned = accounts_frame["lifecycle_stage"].cat.codes.to_numpy() == LIFECYCLE.index("churned")
    return DemoBook(
        companies=companies,
        departments=departments,
        contacts=contacts,
        accounts=accounts_frame,
        users=_users(np.random.default_rng(login_seed)),
        needs=_needs(rng, accounts_frame, as_of),
        subscriptions=generate_subscriptions(rng, accounts_frame, churned, as_of),
    )
