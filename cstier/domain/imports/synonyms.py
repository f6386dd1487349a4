"""The headers CRMs and spreadsheets use for each column, matched ignoring case, spaces and punctuation."""

import re

# Per kind, since "Account ID" names the account itself in an accounts file and its owner elsewhere.
_ACCOUNT_REF = ("account id", "customer id", "account external id", "account number", "crm id")
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "companies": {
        "external_id": (
            "company id",
            "organization id",
            "organisation id",
            "org id",
            "customer id",
            "id",
        ),
        "name": (
            "company name",
            "company",
            "organization name",
            "organisation",
            "customer name",
            "customer",
            "account name",
        ),
        "domain": ("website", "web domain", "url", "company domain"),
        "industry": ("vertical", "sector", "industry name"),
        "region": ("sales region", "territory", "geo", "geography"),
        "country": ("country code", "country iso", "hq country"),
        "employees": ("employee count", "number of employees", "headcount", "company size"),
        "annual_revenue": ("revenue", "company revenue", "annual revenue"),
        "parent_external_id": ("parent id", "parent company id", "parent company", "parent"),
    },
    "departments": {
        "external_id": ("department id", "business unit id", "id"),
        "company_external_id": ("company id", "organization id", "account id"),
        "name": ("department name", "department", "business unit"),
    },
    "contacts": {
        "external_id": ("contact id", "person id", "id"),
        "company_external_id": ("company id", "organization id", "account id"),
        "department_external_id": ("department id", "business unit id"),
        "name": ("full name", "contact name", "contact"),
        "email": ("email address", "contact email", "e mail", "work email"),
        "title": ("job title", "position"),
        "role": ("buying role", "persona", "contact role"),
    },
    "accounts": {
        "external_id": (
            "customer id",
            "account id",
            "customer number",
            "account number",
            "crm id",
            "record id",
            "salesforce id",
            "id",
        ),
        "name": ("account name", "customer name", "customer", "account"),
        "unit_type": ("unit", "customer unit", "unit type"),
        "company_external_id": ("company id", "organization id", "organisation id", "parent id"),
        "department_external_id": ("department id", "business unit id"),
        "contact_external_id": ("contact id", "decision maker id"),
        "csm_email": (
            "csm email",
            "owner email",
            "account owner email",
            "csm",
            "customer success manager",
            "customer success manager email",
            "cs owner email",
            "success manager email",
        ),
        "arr": (
            "arr",
            "annual recurring revenue",
            "current arr",
            "arr amount",
            "recurring revenue",
            "acv",
        ),
        "plan": ("tier", "plan name", "subscription plan", "package", "edition", "product tier"),
        "lifecycle_stage": ("stage", "lifecycle", "customer stage", "status", "account status"),
        "contract_start_date": (
            "contract start",
            "start date",
            "customer since",
            "contract start date",
        ),
        "renewal_date": (
            "renewal",
            "contract end",
            "contract end date",
            "next renewal",
            "renewal on",
            "end date",
        ),
    },
    "subscriptions": {
        "external_id": ("subscription id", "contract id", "id"),
        "account_external_id": _ACCOUNT_REF,
        "product": ("product name", "sku", "item"),
        "start_date": ("subscription start", "start", "begins"),
        "end_date": ("subscription end", "end", "ends", "expiry date"),
        "mrr": ("monthly recurring revenue", "monthly revenue", "mrr amount"),
        "quantity": ("seats", "licenses", "licences", "units", "qty"),
    },
    "usage": {
        "account_external_id": _ACCOUNT_REF,
        "metric": ("metric name", "measure", "kpi"),
        "period_start": ("period", "week", "month", "date", "week start", "month start"),
        "value": ("count", "amount", "total"),
    },
    "needs": {
        "external_id": ("need id", "response id", "id"),
        "account_external_id": _ACCOUNT_REF,
        "code": ("need", "need code", "topic"),
        "source": ("origin", "captured by"),
        "validated": ("is validated", "confirmed"),
        "importance": ("priority", "score", "rating"),
        "captured_on": ("date", "captured", "response date"),
        "note": ("notes", "comment", "comments"),
    },
    "milestones": {
        "external_id": ("milestone id", "task id", "id"),
        "account_external_id": _ACCOUNT_REF,
        "name": ("milestone", "milestone name", "task", "step"),
        "due_date": ("due", "due on", "target date"),
        "completed_on": ("completed", "completion date", "done on", "completed date"),
    },
}
BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # "ARR (USD)", "Renewal [date]"


def header_key(header: str) -> str:
    """Return a header reduced to letters and digits, lower case: "Customer ID" -> "customerid"."""
    return re.sub(r"[^a-z0-9]+", "", header.replace("\ufeff", "").lower())


def synonym_keys(header: str) -> list[str]:
    """Return the keys a header may match: as written, then without a bracketed unit."""
    keys = [header_key(header)]
    bare = header_key(BRACKETS.sub(" ", header))
    if bare and bare != keys[0]:
        keys.append(bare)
    return keys


def synonym_index(kind: str, columns: list[str]) -> dict[str, str]:
    """Return each known header key of a kind (its column names too) -> the column it feeds."""
    index = {header_key(c): c for c in columns}
    for column, words in SYNONYMS.get(kind, {}).items():
        for word in words:
            index.setdefault(header_key(word), column)
    return index
