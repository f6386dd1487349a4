"""The fields a scheme may read, and loading them for the book as one DataFrame."""

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.tiering import DEFAULT_FIELDS
from cstier.models import Account, Company, CustomAttribute
from cstier.services.frames import read_frame

# Columns read straight from the account and company tables, with their field types.
TABLE_FIELDS = {
    "arr": ("number", (Account.arr_cents / 100.0)),
    "plan": ("text", Account.plan),
    "lifecycle_stage": ("text", Account.lifecycle_stage),
    "unit_type": ("text", Account.unit_type),
    "renewal_date": ("date", Account.renewal_date),
    "contract_start_date": ("date", Account.contract_start_date),
    "csm_id": ("number", Account.csm_id),
    "employees": ("number", Company.employees),
    "region": ("text", Company.region),
    "industry": ("text", Company.industry),
    "country": ("text", Company.country),
    "annual_revenue": ("number", (Company.annual_revenue_cents / 100.0)),
}
ATTRIBUTE_TYPES = {
    "choice": "text",
    "text": "text",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
}


def field_catalog(session: Session) -> dict[str, str]:
    """Return every field a scheme may use: table columns, needs signals and custom attributes."""
    catalog = {name: kind for name, (kind, _) in TABLE_FIELDS.items()}
    # Needs signals (seats, validated needs, …) live in the attributes until their own tables exist.
    for name, kind in DEFAULT_FIELDS.items():
        catalog.setdefault(name, kind)
    for key, data_type in session.execute(select(CustomAttribute.key, CustomAttribute.data_type)):
        catalog[f"attr.{key}"] = ATTRIBUTE_TYPES.get(data_type, "text")
    return catalog


def load_book(session: Session, columns: set[str], catalog: dict[str, str]) -> pd.DataFrame:
    """Read account_id plus the named fields for every account, column-wise in one query."""
    selected = [Account.id.label("account_id")]
    attribute_fields = []
    for name in sorted(columns):
        if name in TABLE_FIELDS:
            selected.append(TABLE_FIELDS[name][1].label(name))
        else:
            key = name.removeprefix("attr.")
            selected.append(Account.attributes[key].as_string().label(name))
            attribute_fields.append(name)
    stmt = select(*selected).join(Company, Account.company_id == Company.id).order_by(Account.id)
    frame = read_frame(session, stmt, ["account_id", *sorted(columns)])
    for name in sorted(columns):
        frame[name] = _typed(frame[name], catalog.get(name, "text"))
    return frame


def _typed(column: pd.Series, kind: str) -> pd.Series:
    if kind == "number":
        return pd.to_numeric(column, errors="coerce").astype(float)
    if kind == "boolean":
        lowered = column.astype("string").str.lower()
        return lowered.map({"true": True, "1": True, "false": False, "0": False})
    if kind == "date":
        return pd.to_datetime(column, errors="coerce")
    return column.astype("string")
