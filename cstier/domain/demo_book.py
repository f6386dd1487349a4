"""Generate a realistic, reproducible B2B customer book as DataFrames (no database).

Every column is drawn for all rows at once (numpy); low-cardinality text (region, role,
plan…) is categorical and ids are 1..n per table.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

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


def _pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Draw `size` indexes into `shares` with the given (normalised) probabilities."""
    p = np.fromiter(shares.values(), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _category(codes: np.ndarray, categories) -> pd.Categorical:
    """Return a categorical column from integer codes."""
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _text(values: np.ndarray) -> pd.Series:
    """Keep Python strings as an object column (inferring a string dtype is slow at book scale)."""
    return pd.Series(values, dtype=object, copy=False)


def _ids(prefix: str, ids: np.ndarray) -> pd.Series:
    """Return external ids like `demo-co-000042`, built from digit code points (no formatting)."""
    width = max(6, len(str(int(ids.max())))) if len(ids) else 6
    codes = np.empty((len(ids), len(prefix) + width), dtype=np.uint32)
    codes[:, : len(prefix)] = [ord(c) for c in prefix]
    rest = ids.astype(np.uint32)
    for column in range(codes.shape[1] - 1, len(prefix) - 1, -1):
        rest, digit = np.divmod(rest, 10)
        codes[:, column] = digit + ord("0")
    return _text(codes.view(f"<U{codes.shape[1]}").ravel().astype(object))


def _rank_within(group_sizes: np.ndarray) -> np.ndarray:
    """Return 0..size-1 for every member of consecutive groups of the given sizes."""
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(group_sizes.sum()) - starts


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
        country[mask] = first + _pick(rng, shares, int(mask.sum()))
        first += len(shares)
    return country


def _companies(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Generate companies with long-tailed size, region-consistent countries and parents."""
    ids = np.arange(1, n + 1)
    names, domains = _company_names(rng, n)
    region = _pick(rng, REGIONS, n)
    country = _countries(rng, region)
    industry = _pick(rng, INDUSTRIES, n)
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
            "external_id": _ids("demo-co-", ids),
            "name": _text(names),
            "domain": _text(domains),
            "industry": _category(industry, INDUSTRIES),
            "region": _category(region, REGIONS),
            "country": _category(country, ALL_COUNTRIES),
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
            "external_id": _ids("demo-dp-", ids),
            "company_id": np.repeat(companies["id"].to_numpy(), counts),
            "name": _category(
                (offset + _rank_within(counts)) % len(DEPARTMENT_NAMES), DEPARTMENT_NAMES
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
    role = np.minimum(_rank_within(counts), len(CONTACT_ROLES) - 1)
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
            "external_id": _ids("demo-ct-", ids),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": dept_id,
            "name": _text(names[person]),
            "email": _text(emails[person] + at_domain[company_index]),
            "title": _category(title, [t for group in TITLES for t in group]),
            "role": _category(role, CONTACT_ROLES),
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
        ATTRIBUTE_COLUMNS["crm"]: _category(np.minimum(crm, len(CRM_CHOICES) - 1), CRM_CHOICES),
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
            "external_id": _ids("demo-ac-", ids),
            "name": _text(names),
            "unit_type": _category((department_id > 0).astype(int), ("company", "department")),
            "company_id": companies["id"].to_numpy()[company_index],
            "department_id": pd.Series(department_id).where(department_id > 0).astype("Int64"),
            "csm_id": _csm_ids(rng, region, plan),
            "arr_cents": arr.astype(np.int64) * 100,
            "plan": _category(plan, PLANS),
            "lifecycle_stage": _category(stage, LIFECYCLE),
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
            "external_id": _ids("demo-nd-", ids),
            "account_id": owner,
            "code": _text(np.array(list(NEED_CODES), dtype=object)[_pick(rng, NEED_CODES, n)]),
            "source": _text(np.where(validated, "csm", "survey").astype(object)),
            "validated": validated,
            "importance": pd.Series(rng.integers(1, 6, n)).where(~validated).astype("Int64"),
            "captured_on": np.datetime64(as_of, "D") - rng.integers(0, 365, n).astype("m8[D]"),
        }
    )


HISTORY_DAYS = 730  # two years of subscription history: 24 monthly periods to measure
EXPANSION_SHARE, CONTRACTION_SHARE, REACTIVATION_SHARE = 0.3, 0.12, 0.05


def _window_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Draw one day in [low, high) per row (datetime64[D] bounds, high > low)."""
    span = np.maximum((high - low).astype(np.int64), 1)
    return low + (rng.random(len(low)) * span).astype(np.int64).astype("m8[D]")


def _subscriptions(rng: np.random.Generator, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Generate 24 months of subscriptions: a core plan per account, add-ons won and lost,
    churned accounts' plans ending, and a few accounts leaving and coming back.

    Core MRR is the ARR field ÷ 12, so current ARR starts near the imported figure.
    """
    today = np.datetime64(as_of, "D")
    window = today - np.timedelta64(HISTORY_DAYS, "D")
    n = len(accounts)
    ids = accounts["id"].to_numpy()
    start = accounts["contract_start_date"].to_numpy().astype("datetime64[D]")
    core_mrr = accounts["arr_cents"].to_numpy() // 12
    churned = accounts["lifecycle_stage"].cat.codes.to_numpy() == LIFECYCLE.index("churned")
    u = rng.random(n)
    settled = ~churned & (start < window + np.timedelta64(200, "D"))
    returning = settled & (u < REACTIVATION_SHARE)
    # A churned account's plan ended in the window; a returning one's paused and restarted.
    core_end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended_from = np.maximum(start + np.timedelta64(30, "D"), window)
    core_end[churned] = _window_days(rng, ended_from, np.maximum(ended_from + 1, today))[churned]
    gap_start = _window_days(rng, np.maximum(start, window), today - np.timedelta64(150, "D"))
    gap_end = gap_start + rng.integers(35, 120, n).astype("m8[D]")
    core_start = np.where(returning, gap_end, start)
    rows = [
        (ids, "Core", core_start, core_end, core_mrr),
        (ids[returning], "Core (before a pause)", start[returning], gap_start[returning],
         core_mrr[returning]),
    ]  # fmt: skip
    open_ = ~churned & (rng.random(n) < EXPANSION_SHARE)
    added = _window_days(rng, np.maximum(core_start + 1, window), today)
    rows.append((ids[open_], "Add-on", added[open_], np.full(int(open_.sum()), np.datetime64("NaT"),
                 dtype="datetime64[D]"), (core_mrr * rng.uniform(0.1, 0.4, n)).astype(np.int64)[open_]))  # fmt: skip
    lost = ~churned & ~returning & (rng.random(n) < CONTRACTION_SHARE)
    dropped = _window_days(rng, np.maximum(start + 1, window), today)
    rows.append((ids[lost], "Legacy add-on", start[lost], dropped[lost],
                 (core_mrr * rng.uniform(0.1, 0.3, n)).astype(np.int64)[lost]))  # fmt: skip
    frame = pd.DataFrame(
        {
            "account_id": np.concatenate([r[0] for r in rows]),
            "product": _text(
                np.concatenate([np.full(len(r[0]), r[1], dtype=object) for r in rows])
            ),
            "start_date": np.concatenate([r[2] for r in rows]),
            "end_date": np.concatenate([r[3] for r in rows]),
            "mrr_cents": np.concatenate([r[4] for r in rows]).astype(np.int64),
        }
    )
    frame = frame.sort_values(["account_id", "start_date"], kind="stable").reset_index(drop=True)
    sub_ids = np.arange(1, len(frame) + 1)
    frame.insert(0, "external_id", _ids("demo-su-", sub_ids))
    frame.insert(0, "id", sub_ids)
    frame["quantity"] = 1
    return frame


def _users(rng: np.random.Generator) -> pd.DataFrame:
    """Return the demo users with passwords drawn from the seed (same seed, same logins)."""
    chars = PASSWORD_ALPHABET[rng.integers(0, len(PASSWORD_ALPHABET), (len(DEMO_USERS), 12))]
    passwords = ["-".join("".join(row[i : i + 4]) for i in range(0, 12, 4)) for row in chars]
    return pd.DataFrame(
        {
            "id": np.arange(1, len(DEMO_USERS) + 1),
            "email": _text(np.array([f"{u}@{DEMO_EMAIL_DOMAIN}" for u, _, _ in DEMO_USERS])),
            "name": _text(np.array([name for _, _, name in DEMO_USERS], dtype=object)),
            "role": _text(np.array([role for _, role, _ in DEMO_USERS], dtype=object)),
            "password": _text(np.array(passwords, dtype=object)),
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
    return DemoBook(
        companies=companies,
        departments=departments,
        contacts=contacts,
        accounts=accounts_frame,
        users=_users(np.random.default_rng(login_seed)),
        needs=_needs(rng, accounts_frame, as_of),
        subscriptions=_subscriptions(rng, accounts_frame, as_of),
    )
