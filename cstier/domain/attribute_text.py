"""Custom attribute values as people write them: yes/no, and 4 rather than 4.0."""

import math


def attribute_text(value: object) -> str:
    """Return a custom attribute value as text a person (and the importer) reads back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)
