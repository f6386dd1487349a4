"""Helpers shared by the UI's forms."""

from wtforms import Form


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
