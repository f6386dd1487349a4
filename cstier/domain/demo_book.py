"""Generate a realistic, reproducible B2B customer book as DataFrames (no database)."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

DEMO_EMAIL_DOMAIN = "demo.cstier.io"
DEPARTMENT_ACCOUNT_SHARE = 0.12
SUBSIDIARY_SHARE = 0.06
PASSWORD_ALPHABET = np.array(list("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"))

REGION_SHARES = {"NA": 0.45, "EMEA": 0.30, "APAC": 0.17, "LATAM": 0.08}
COUNTRIES = {
    "NA": {"US": 0.85, "CA": 0.15},
    "EMEA": {
        "GB": 0.25,
        "DE": 0.22,
        "FR": 0.15,
        "NL": 0.1,
        "SE": 0.08,
        "ES": 0.08,
        "IE": 0.06,
        "AE": 0.06,
    },
    "APAC": {"AU": 0.3, "JP": 0.22, "SG": 0.18, "IN": 0.2, "NZ": 0.1},
    "LATAM": {"BR": 0.45, "MX": 0.3, "AR": 0.1, "CL": 0.08, "CO": 0.07},
}
INDUSTRIES = {
    "Software": 0.24, "Financial services": 0.14, "Healthcare": 0.12, "Manufacturing": 0.13,
    "Retail": 0.11, "Education": 0.08, "Media": 0.08, "Logistics": 0.10,
}  # fmt: skip
PLANS = ("Starter", "Pro", "Enterprise")
CRM_CHOICES = ("Salesforce", "HubSpot", "Dynamics", "None")
# Per plan (Starter, Pro, Enterprise): chance of each CRM, and of using SSO.
CRM_BY_PLAN = np.array([[0.15, 0.45, 0.05, 0.35], [0.4, 0.35, 0.12, 0.13], [0.7, 0.08, 0.2, 0.02]])
SSO_BY_PLAN = np.array([0.1, 0.45, 0.9])

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


def _words(text: str) -> np.ndarray:
    """Return the whitespace-separated words of `text` as an object array."""
    return np.array(text.split(), dtype=object)


DEMO_USERS = (
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
# Which CSMs (1-based) cover which region: NA has the biggest team.
CSMS_BY_REGION = {"NA": (1, 2, 3), "EMEA": (4, 5), "APAC": (6, 7), "LATAM": (8,)}

NAME_STARTS = _words(
    "North South East West Blue Red Green Silver Golden Bright Clear Swift Iron Stone Oak Pine "
    "Cedar Maple River Lake Harbor Summit Peak Valley Prairie Coastal Polar Solar Lunar Stellar "
    "Nova Apex Vertex Prime Quantum Vector Atlas Orion Zenith Horizon Pioneer Frontier Beacon "
    "Crest Falcon Eagle Hawk Lynx Fox Wolf Bear Bison Heron Raven"
)
NAME_CORES = _words(
    "wind field bridge gate point line wave stream path forge works light stone rock wood "
    "brook view ridge haven port star fire spring leaf fall mark core sphere scape grid"
)
NAME_ENDS = _words(
    "Systems Labs Group Holdings Partners Industries Technologies Solutions Networks Works "
    "Dynamics Ventures Corp International Global Enterprises Associates Company Collective Co"
)
FIRST_NAMES = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Maria Wei Mei Hiroshi Yuki Raj Ananya "
    "Lukas Sophie Mateo Camila Ahmed Fatima Olivia Noah Emma Liam Ava Lucas Mia Arjun"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Chen Wang Tanaka Sato Sharma Patel "
    "Muller Schmidt Dubois Rossi Silva Santos Kim Park Nguyen Cohen Ali Hassan Novak Larsen"
)
DEPARTMENT_NAMES = _words(
    "Sales Marketing Finance Engineering Operations IT Legal HR Support Product"
)
# Every company has a decision maker, an economic buyer and a champion; bigger ones more.
CONTACT_ROLE_BY_RANK = np.array(
    ["decision_maker", "economic_buyer", "champion", "admin", "end_user"], dtype=object
)
TITLES = {
    "decision_maker": np.array(["VP Operations", "Head of Sales", "COO", "Director of IT"]),
    "economic_buyer": np.array(["CFO", "VP Finance", "Procurement Lead", "CEO"]),
    "champion": np.array(["Operations Manager", "Team Lead", "Program Manager"]),
    "admin": np.array(["Systems Administrator", "IT Manager", "RevOps Analyst"]),
    "end_user": np.array(["Analyst", "Specialist", "Coordinator", "Associate", "Engineer"]),
}


@dataclass(frozen=True)
class DemoBook:
    """A generated book: one DataFrame per table, with ids that reference each other."""

    companies: pd.DataFrame
    departments: pd.DataFrame
    contacts: pd.DataFrame
    accounts: pd.DataFrame
    users: pd.DataFrame
    custom_attributes: tuple[dict, ...] = CUSTOM_ATTRIBUTES


def _pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Draw `size` keys of `shares` with the given (normalised) probabilities."""
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _ids(prefix: str, ids: np.ndarray) -> np.ndarray:
    """Return external ids like `demo-co-000042`."""
    return (prefix + pd.Series(ids).astype(str).str.zfill(6)).to_numpy(dtype=object)


def _rank_within(group_sizes: np.ndarray) -> np.ndarray:
    """Return 0..size-1 for every member of consecutive groups of the given sizes."""
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(group_sizes.sum()) - starts


def _company_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return unique display names and domain slugs for n companies."""
    space = len(NAME_STARTS) * len(NAME_CORES) * len(NAME_ENDS)
    combo = np.resize(rng.permutation(space), n)
    start, rest = np.divmod(combo, len(NAME_CORES) * len(NAME_ENDS))
    core, end = np.divmod(rest, len(NAME_ENDS))
    stem = NAME_STARTS[start].astype(object) + NAME_CORES[core].astype(object)
    # Past the name space a round number keeps names and domains unique.
    lap = pd.Series(np.arange(n) // space)
    lap_suffix = np.where(lap > 0, " " + (lap + 1).astype(str), "").astype(object)
    names = stem + " " + NAME_ENDS[end].astype(object) + lap_suffix
    slug_suffix = np.where(lap > 0, (lap + 1).astype(str), "").astype(object)
    slugs = pd.Series(stem + slug_suffix).str.lower().to_numpy(dtype=object)
    return names, slugs


def _companies(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Generate companies with long-tailed size, region-consistent countries and parents."""
    ids = np.arange(1, n + 1)
    names, slugs = _company_names(rng, n)
    region = _pick(rng, REGION_SHARES, n)
    country = np.empty(n, dtype=object)
    for key, shares in COUNTRIES.items():
        mask = region == key
        country[mask] = _pick(rng, shares, int(mask.sum()))
    industry = _pick(rng, INDUSTRIES, n)
    employees = np.clip(rng.lognormal(np.log(150), 1.6, n), 5, 400_000).astype(np.int64)
    revenue_per_employee = rng.lognormal(np.log(180_000), 0.5, n)
    revenue_cents = (employees * revenue_per_employee).round(-3).astype(np.int64) * 100
    parent_id = np.full(n, -1, dtype=np.int64)
    n_subsidiaries = int(n * SUBSIDIARY_SHARE)
    n_parents = n_subsidiaries // 4
    if n_parents:
        # The biggest companies are the groups; subsidiaries come from the rest.
        parents = np.argsort(-employees, kind="stable")[:n_parents]
        others = np.setdiff1d(np.arange(n), parents)
        subsidiaries = rng.choice(others, size=n_subsidiaries, replace=False)
        group = parents[rng.integers(0, n_parents, n_subsidiaries)]
        parent_id[subsidiaries] = ids[group]
        industry[subsidiaries] = industry[group]
        names[subsidiaries] = names[group] + " (" + country[subsidiaries] + ")"
        slugs[subsidiaries] = slugs[group] + "-" + pd.Series(country[subsidiaries]).str.lower()
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": _ids("demo-co-", ids),
            "name": names,
            "domain": slugs + ".example.com",
            "industry": industry,
            "region": region,
            "country": country,
            "employees": employees,
            "annual_revenue_cents": revenue_cents,
            "parent_id": pd.Series(parent_id).where(parent_id > 0).astype("Int64"),
        }
    )


def _departments(rng: np.random.Generator, companies: pd.DataFrame) -> pd.DataFrame:
    """Give every company 1-10 distinct departments, more for bigger companies."""
    log_size = np.log10(companies["employees"].to_numpy())
    counts = np.clip(1 + rng.poisson(np.maximum(0.0, log_size - 1.5)), 1, len(DEPARTMENT_NAMES))
    company_id = np.repeat(companies["id"].to_numpy(), counts)
    offset = np.repeat(rng.integers(0, len(DEPARTMENT_NAMES), len(counts)), counts)
    name_index = (offset + _rank_within(counts)) % len(DEPARTMENT_NAMES)
    ids = np.arange(1, len(company_id) + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": _ids("demo-dp-", ids),
            "company_id": company_id,
            "name": DEPARTMENT_NAMES[name_index].astype(object),
        }
    )


def _contacts(
    rng: np.random.Generator, companies: pd.DataFrame, departments: pd.DataFrame
) -> pd.DataFrame:
    """Give every company a buying group: decision maker, champion, admin, buyer, users."""
    log_size = np.log10(companies["employees"].to_numpy())
    counts = np.clip(3 + rng.poisson(np.maximum(0.2, log_size - 1.4)), 3, 12)
    company_index = np.repeat(np.arange(len(companies)), counts)
    rank = _rank_within(counts)
    role = CONTACT_ROLE_BY_RANK[np.minimum(rank, len(CONTACT_ROLE_BY_RANK) - 1)]
    dept_counts = departments.groupby("company_id").size().to_numpy()
    dept_first = np.cumsum(dept_counts) - dept_counts + 1
    dept_id = dept_first[company_index] + (
        rng.random(len(rank)) * dept_counts[company_index]
    ).astype(np.int64)
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), len(rank))].astype(object)
    last = LAST_NAMES[rng.integers(0, len(LAST_NAMES), len(rank))].astype(object)
    title = np.empty(len(rank), dtype=object)
    for key, choices in TITLES.items():
        mask = role == key
        title[mask] = choices[rng.integers(0, len(choices), int(mask.sum()))]
    ids = np.arange(1, len(rank) + 1)
    domain = companies["domain"].to_numpy(dtype=object)[company_index]
    local = pd.Series(first + "." + last + "." + pd.Series(ids).astype(str)).str.lower()
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": _ids("demo-ct-", ids),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": dept_id,
            "name": first + " " + last,
            "email": (local + "@" + domain).to_numpy(dtype=object),
            "title": title,
            "role": role,
        }
    )


def _account_units(
    rng: np.random.Generator, companies: pd.DataFrame, departments: pd.DataFrame, extra: int
) -> pd.DataFrame:
    """One company-level account per company plus `extra` department-level accounts."""
    company_names = companies["name"].to_numpy(dtype=object)
    employees = companies["employees"].to_numpy()
    dept_company = departments["company_id"].to_numpy() - 1
    # Gumbel top-k: sample departments without replacement, bigger companies first.
    keys = np.log(employees[dept_company]) + rng.gumbel(size=len(dept_company))
    chosen = np.sort(np.argpartition(-keys, extra - 1)[:extra]) if extra else np.array([], int)
    dept_of_chosen = dept_company[chosen]
    units = pd.DataFrame(
        {
            "unit_type": np.array(["company"] * len(companies) + ["department"] * extra, object),
            "company_index": np.concatenate([np.arange(len(companies)), dept_of_chosen]),
            "department_id": pd.array(
                np.concatenate([np.zeros(len(companies), int), chosen + 1]), dtype="Int64"
            ),
            "name": np.concatenate(
                [
                    company_names,
                    company_names[dept_of_chosen]
                    + " - "
                    + departments["name"].to_numpy(dtype=object)[chosen],
                ]
            ),
        }
    )
    units.loc[units["unit_type"] == "company", "department_id"] = pd.NA
    return units


def _arr_dollars(
    rng: np.random.Generator, employees: np.ndarray, is_dept: np.ndarray
) -> np.ndarray:
    """Draw long-tailed ARR in whole hundreds of dollars, growing with company size."""
    median = np.where(is_dept, 6_000.0, 12_000.0)
    log_arr = (
        np.log(median)
        + 0.55 * (np.log(employees) - np.log(150))
        + rng.normal(0, 0.9, len(employees))
    )
    return np.maximum(1_200, np.round(np.exp(log_arr), -2))


def _contract_dates(
    rng: np.random.Generator, n: int, as_of: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return start dates, next renewals, days since start and term (days); recent starts likelier."""
    days = (5 * 365 * rng.random(n) ** 1.3).astype(np.int64)
    term = 365 * rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    start = np.datetime64(as_of, "D") - days
    renewal = start + (days // term + 1) * term
    return start, renewal, days, term


def _lifecycle(rng: np.random.Generator, days: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Onboarding in the first 90 days; churn only at a passed renewal; mostly active."""
    u = rng.random(len(days))
    stage = np.where(u < 0.11, "at_risk", "active").astype(object)
    stage[(days >= term) & (u < 0.07)] = "churned"
    stage[days < 90] = "onboarding"
    return stage


def _plans(rng: np.random.Generator, arr: np.ndarray) -> np.ndarray:
    """Return plan indexes (0 Starter, 1 Pro, 2 Enterprise) that mostly follow ARR."""
    noisy = np.log(arr) + rng.normal(0, 0.35, len(arr))
    return np.searchsorted(np.log([10_000, 75_000]), noisy)


def _csm_ids(rng: np.random.Generator, region: np.ndarray, plan: np.ndarray) -> pd.Series:
    """Assign CSMs from each region's team; leave a share of small accounts unassigned."""
    csm = np.zeros(len(region), dtype=np.int64)
    first_csm_id = 1 + [role for _, role, _ in DEMO_USERS].index("csm")
    for key, team in CSMS_BY_REGION.items():
        mask = region == key
        csm[mask] = first_csm_id - 1 + np.array(team)[rng.integers(0, len(team), int(mask.sum()))]
    unassigned = rng.random(len(region)) < np.array([0.35, 0.08, 0.0])[plan]
    return pd.Series(csm).where(~unassigned).astype("Int64")


def _attributes(
    rng: np.random.Generator, plan: np.ndarray, arr: np.ndarray, stage: np.ndarray
) -> dict[str, object]:
    """Return the custom attribute columns (crm, uses_sso, seats, nps) for each account."""
    n = len(plan)
    crm = (rng.random(n)[:, None] > CRM_BY_PLAN.cumsum(axis=1)[plan]).sum(axis=1)
    crm = np.minimum(crm, len(CRM_CHOICES) - 1)
    seats = np.maximum(1, np.round(arr / rng.lognormal(np.log(480), 0.3, n))).astype(np.int64)
    nps_mean = np.where(stage == "at_risk", 5.0, np.where(stage == "churned", 4.0, 8.0))
    nps = np.clip(np.round(rng.normal(nps_mean, 1.8)), 0, 10)
    surveyed = rng.random(n) < 0.65
    return {
        ATTRIBUTE_COLUMNS["crm"]: np.array(CRM_CHOICES, dtype=object)[crm],
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
    units = _account_units(rng, companies, departments, extra)
    company_index = units["company_index"].to_numpy()
    n = len(units)
    arr = _arr_dollars(
        rng, companies["employees"].to_numpy()[company_index], units["unit_type"] == "department"
    )
    plan = _plans(rng, arr)
    start, renewal, days, term = _contract_dates(rng, n, as_of)
    stage = _lifecycle(rng, days, term)
    churned = stage == "churned"
    renewal[churned] = start[churned] + (days[churned] // term[churned]) * term[churned]
    ids = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": _ids("demo-ac-", ids),
            "name": units["name"].to_numpy(),
            "unit_type": units["unit_type"].to_numpy(),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": units["department_id"].array,
            "csm_id": _csm_ids(rng, companies["region"].to_numpy()[company_index], plan).array,
            "arr_cents": (arr * 100).astype(np.int64),
            "plan": np.array(PLANS, dtype=object)[plan],
            "lifecycle_stage": stage,
            "contract_start_date": start,
            "renewal_date": renewal,
            **_attributes(rng, plan, arr, stage),
        }
    )


def _users(rng: np.random.Generator) -> pd.DataFrame:
    """Return the demo users with passwords drawn from the seed (same seed, same logins)."""
    chars = PASSWORD_ALPHABET[rng.integers(0, len(PASSWORD_ALPHABET), (len(DEMO_USERS), 12))]
    passwords = ["-".join("".join(row[i : i + 4]) for i in range(0, 12, 4)) for row in chars]
    return pd.DataFrame(
        {
            "id": np.arange(1, len(DEMO_USERS) + 1),
            "email": [f"{local}@{DEMO_EMAIL_DOMAIN}" for local, _, _ in DEMO_USERS],
            "name": [name for _, _, name in DEMO_USERS],
            "role": [role for _, role, _ in DEMO_USERS],
            "password": passwords,
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
    return DemoBook(
        companies=companies,
        departments=departments,
        contacts=_contacts(rng, companies, departments),
        accounts=_accounts(rng, companies, departments, extra, as_of),
        users=_users(np.random.default_rng(login_seed)),
    )
