"""Helpers shared by the UI's forms."""

from decimal import Decimal

from wtforms import Form
from wtforms.validators import StopValidation

# Bounds the database columns can hold (BIGINT cents, 32-bit employee counts).
MAX_MONEY = Decimal("1e13")
MONEY_RANGE = "Enter an amount between 0 and 10,000,000,000,000."
MAX_EMPLOYEES = 2_147_483_647
EMPLOYEES_RANGE = "Enter a whole number between 0 and 2,147,483,647."


def finite(form: Form, field) -> None:
    """Refuse NaN and infinity, which Decimal accepts but money cannot be."""
    if field.data is not None and not Decimal(field.data).is_finite():
        raise StopValidation("Enter a finite number.")


def apply_errors(form: Form, errors: dict[str, list[str]]) -> list[str]:
    """Attach service validation errors to form fields; return those with no matching field."""
    aliases = {"arr_cents": "arr", "annual_revenue_cents": "annual_revenue"}
    leftovers = []
    for name, messages in errors.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is None:
            leftovers.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)
    return leftovers


def optional_id(value) -> int | None:
    """Coerce a select value to an id, with '' meaning none."""
    if value in (None, "", "None", 0, "0"):
        return None
    return int(value)


def posted_version(field) -> int:
    """Return the version a form was opened at; a missing or mangled one reads as stale (0)."""
    # raw_data, not data: a form built from the stored row would fill a missing field with it.
    value = field.raw_data[0] if field.raw_data else ""
    return int(value) if value.isdigit() and len(value) < 10 else 0
