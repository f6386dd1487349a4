"""The vocabulary of the customer model: units, roles, lifecycle stages."""

import re

ACCOUNT_UNITS = {
    "company": "Company",
    "department": "Department",
    "decision_maker": "Decision maker",
}

CONTACT_ROLES = {
    "decision_maker": "Decision maker",
    "economic_buyer": "Economic buyer",
    "champion": "Champion",
    "admin": "Admin",
    "end_user": "End user",
}

LIFECYCLE_STAGES = {
    "onboarding": "Onboarding",
    "active": "Active",
    "at_risk": "At risk",
    "churned": "Churned",
}

REGIONS = ("NA", "EMEA", "APAC", "LATAM")

ATTRIBUTE_TYPES = ("text", "number", "boolean", "date", "choice")

ATTRIBUTE_CATEGORIES = ("demographic", "technographic", "psychographic", "behavioural")

# A custom attribute key: how imports name it (attr.<key>) and rules reference it.
ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def split_choices(text: str) -> list[str]:
    """Return typed choices: one per line, or comma separated when typed on one line."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [c.strip() for c in parts if c.strip()]


def choices_text(choices: list[str]) -> str:
    """Return choices one per line, ending in a newline, so split_choices reads them back."""
    return "".join(f"{c}\n" for c in choices)


def required_link(unit: str) -> str | None:
    """Return which link an account of this unit needs beyond its company."""
    return {"department": "department", "decision_maker": "contact"}.get(unit)
