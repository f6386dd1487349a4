"""Helpers shared by the UI's forms."""

from decimal import Decimal

from wtforms import DecimalField, FloatField, Form, HiddenField

from cstier.domain.numbers import is_finite

# Bounds the database columns can hold (BIGINT cents, 32-bit employee counts).
MAX_MONEY = Decimal("1e13")
MONEY_RANGE = "Enter an amount between 0 and 10,000,000,000,000."
MAX_EMPLOYEES = 2_147_483_647
EMPLOYEES_RANGE = "Enter a whole number between 0 and 2,147,483,647."
FINITE_NUMBER = "Enter a finite number (not NaN or infinity, nor beyond ±1e308)."


class FiniteNumberMixin:
    """Refuse NaN, infinity and overflow while reading the posted text, before any validator."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not is_finite(self.data):
            self.data = None
            raise ValueError(FINITE_NUMBER)


class FiniteDecimalField(FiniteNumberMixin, DecimalField):
    """A decimal field that only holds finite numbers."""


class FiniteFloatField(FiniteNumberMixin, FloatField):
    """A float field that only holds finite numbers."""


def apply_errors(form: Form, errors: dict[str, list[str]]) -> list[str]:
    """Attach service validation errors to form fields; return those with no matching field."""
    aliases = {"arr_cents": "arr", "annual_revenue_cents": "annual_revenue"}
    leftovers = []
    for name, messages in errors.items():
        field_name = aliases.get(name) or name.replace("attributes.", "attr_", 1)
        field = getattr(form, field_name, None)
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


class VersionField(HiddenField):
    """The version the editor opened, sent back so a save over someone else's is refused."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the posted version; anything but a whole number is stale (-1)."""
        text = (valuelist[0] if valuelist else "").strip()
        self.data = int(text) if text.isdigit() and len(text) < 10 else -1
