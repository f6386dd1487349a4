"""The fields a scheme may read, and loading them for the book as one DataFrame."""

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cstier.domain.tiering import DEFAULT_FIELDS
from cstier.models import Account, Company, CustomAttribute
from cstier.services.tiering.current_arr import current_arr
from cstier.services.tiering.signals import (
    add_signals,
    attribute_fallback,
    is_signal,
    signal_catalog,
)
from cstier.store.column_reads import JsonFields, field_names, read_columns

ID_KINDS = {"account_id": "int", "company_id": "int", "scheme_id": "int"}

# Columns read straight from the account and company tables, with their field types.
ACCOUNT_FIELDS = {
    "arr": ("number", Account.arr_cents),
    "plan": ("text", Account.plan),
    "lifecycle_stage": ("text", Account.lifecycle_stage),
    "unit_type": ("text", Account.unit_type),
    "renewal_date": ("date", Account.renewal_date),
    "contract_start_date": ("date", Account.contract_start_date),
    "csm_id": ("number", Account.csm_id),
}
COMPANY_FIELDS = {
    "employees": ("number", Company.employees),
    "region": ("text", Company.region),
    "industry": ("text", Company.industry),
    "country": ("text", Company.country),
    "annual_revenue": ("number", Company.annual_revenue_cents),
}
# Money is stored in cents and read as such: SQLite writes an integer faster than the real
# a division in SQL would make (store/column_text.py); pandas divides the column.
IN_CENTS = {"arr", "annual_revenue"}
# Up to this many accounts asked for by id are read as CSV lines (store/column_text.py).
FEW_ACCOUNTS = 100
# The ARR field itself, in cents, beside the current ARR that "arr" holds (see load_book).
FIELD_ARR_CENTS = "arr_field_cents"
TABLE_FIELDS = {**ACCOUNT_FIELDS, **COMPANY_FIELDS}
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
    # Needs signals come from their records (services/tiering/signals.py), else the attributes.
    for name, kind in DEFAULT_FIELDS.items():
        catalog.setdefault(name, kind)
    catalog.update(signal_catalog(session))
    for key, data_type in session.execute(select(CustomAttribute.key, CustomAttribute.data_type)):
        catalog[f"attr.{key}"] = ATTRIBUTE_TYPES.get(data_type, "text")
    return catalog


def load_book(
    session: Session,
    columns: set[str],
    catalog: dict[str, str],
    committed: bool = False,
    field_arr: bool = False,
    chunk_rows: int | None = None,
    accounts: Sequence[int] | None = None,
    day: date | None = None,
) -> pd.DataFrame:
    """Read account_id plus the named fields for every account, ordered by account id.

    With `committed` (the session holds no uncommitted change to accounts or companies),
    the tables are read on two connections at once (store/column_reads.py). With `field_arr`
    and "arr" among the fields, the book also holds the ARR field in cents (FIELD_ARR_CENTS),
    which coverage balances books by: a run hands it on rather than read it again.
    Each query reads the rows of `chunk_rows` keys (read_columns' default unless given).
    `accounts` reads only those accounts (an account page explains one). Subscriptions and
    signals are taken as they run on `day` (today unless given).
    """
    names = sorted(columns)
    few = accounts is not None and len(accounts) <= FEW_ACCOUNTS
    # Record-backed signals are computed below; those with an attribute fallback read it here.
    own = [
        n for n in names if n not in COMPANY_FIELDS and (not is_signal(n) or attribute_fallback(n))
    ]
    firm = [n for n in names if n in COMPANY_FIELDS]
    table = [n for n in own if n in ACCOUNT_FIELDS]
    # Everything else is a custom attribute (or a signal's), read from the JSON document.
    attributes = JsonFields(
        Account.attributes, {n: n.removeprefix("attr.") for n in own if n not in ACCOUNT_FIELDS}
    )
    selected = [Account.id, Account.company_id, *(ACCOUNT_FIELDS[n][1] for n in table)]
    stmt = select(*selected).order_by(Account.id)
    if accounts is not None:
        stmt = stmt.where(Account.id.in_(list(accounts)))
    book = read_chunked(
        session,
        stmt,
        ["account_id", "company_id", *table],
        catalog,
        attributes,
        committed,
        chunk_rows,
        few,
    )
    kept = [FIELD_ARR_CENTS] if field_arr and "arr" in names else []
    if kept:
        book[FIELD_ARR_CENTS] = book["arr"]  # _from_cents replaces "arr", so this stays cents
    _from_cents(book)
    if "arr" in names:
        # Value tiers read current ARR: active subscriptions where they exist, else the field.
        book["arr"] = current_arr(session, book["account_id"], book["arr"], day, accounts=accounts)
    if firm:
        # Two scans beat a join: looking each company up by key costs more than reading them all.
        companies = select(Company.id, *(COMPANY_FIELDS[n][1] for n in firm))
        if accounts is not None:
            companies = companies.where(Company.id.in_(book["company_id"].dropna().tolist()))
        firms = read_chunked(
            session,
            companies,
            ["company_id", *firm],
            catalog,
            committed=committed,
            chunk_rows=chunk_rows,
            few=few,
        )
        _from_cents(firms)
        matched = firms.set_index("company_id").reindex(book["company_id"])
        for name in firm:
            book[name] = matched[name].array  # .array keeps categories; positions match book
    add_signals(session, book, names, day, accounts=accounts)
    return book.drop(columns="company_id")[["account_id", *names, *kept]]


def _from_cents(frame: pd.DataFrame) -> None:
    for name in IN_CENTS.intersection(frame.columns):
        frame[name] = frame[name] / 100.0


def read_chunked(
    session: Session,
    stmt: Select,
    columns: list[str],
    catalog: dict[str, str],
    json_fields: JsonFields | None = None,
    committed: bool = False,
    chunk_rows: int | None = None,
    few: bool = False,
) -> pd.DataFrame:
    """Run a Core select (its first column an integer key) into a typed DataFrame.

    The rows travel as joined texts (store/column_reads.py), with any `json_fields` after the
    select's columns, or as CSV lines for `few` rows; booleans and dates, which come back as
    strings, are converted here.
    """
    names = field_names(columns, json_fields)
    kinds = {name: ID_KINDS.get(name) or catalog.get(name, "text") for name in names}
    frame = read_columns(
        session,
        stmt,
        columns,
        kinds,
        json_fields,
        committed=committed,
        chunk_rows=chunk_rows,
        few=few,
    )
    for name, kind in kinds.items():
        if kind in ("boolean", "date"):
            frame[name] = typed(frame[name], kind)
    return frame


def typed(column: pd.Series, kind: str) -> pd.Series:
    """Return a boolean or date column, read as strings, in the dtype its field compares in.

    Ids, numbers and text arrive typed from store/column_reads.py; other kinds pass through.
    """
    if kind == "boolean":
        lowered = column.astype("string").str.lower()
        return lowered.map({"true": True, "1": True, "false": False, "0": False})
    if kind == "date":
        return pd.to_datetime(column, errors="coerce")
    return column
