"""Read the mapping page's fields: a column per header, constants and defaults, file formats."""

from werkzeug.datastructures import MultiDict

from cstier.domain.imports.columns import KindSpec
from cstier.domain.imports.formats import DATE_ORDERS, DECIMAL_SEPARATORS
from cstier.domain.imports.mapping import ImportMapping


def posted_mapping(form: MultiDict, kind: KindSpec, headers: list[str]) -> ImportMapping:
    """Return the mapping the page posted; MappingForm refuses unknown formats with a message."""
    date_order = form.get("date_format", "")
    decimal = form.get("decimal_separator", ".")
    mapping = ImportMapping(
        columns={h: form.get(f"map-{i}", "").strip() for i, h in enumerate(headers)},
        date_order=date_order if date_order in DATE_ORDERS else None,
        decimal=decimal if decimal in DECIMAL_SEPARATORS else ".",
        companies_from_accounts=kind.name == "accounts" and form.get("companies") == "y",
    )
    for column in kind.names:
        value = form.get(f"fill-{column}", "").strip()
        if value:
            mode = form.get(f"fillmode-{column}", "constant")
            target = mapping.defaults if mode == "default" else mapping.constants
            target[column] = value
    return mapping


def created_attribute(form: MultiDict, headers: list[str]) -> tuple[int, dict] | None:
    """Return the header index and the attribute the page asked to create, if it did."""
    index = form.get("create", "")
    if not index.isdigit() or int(index) >= len(headers):
        return None
    i = int(index)
    choices = [c for c in form.get(f"attr-choices-{i}", "").splitlines() if c.strip()]
    return i, {
        "key": form.get(f"attr-key-{i}", "").strip(),
        "data_type": form.get(f"attr-type-{i}", "text"),
        "label": headers[i].strip(),
        "choices": choices,
    }
