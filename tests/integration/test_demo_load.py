"""The demo book, loaded as columns, is the book a Core insert of its rows as dicts stores."""

from datetime import date

import pandas as pd
from sqlalchemy import delete, insert, select

from cstier.domain.demo_book import generate_book
from cstier.domain.demo_engagement import generate_engagement
from cstier.models import Account
from cstier.services.demo import DemoTable, demo_tables, load_demo

AS_OF = date(2026, 5, 4)
ACCOUNTS, SEED = 300, 11
RANDOM = {"password_hash", "session_token"}  # a fresh salt or token per row, by design


def _dict_rows(part: DemoTable) -> list[dict]:
    """Return a table's rows as the demo wrote them before: one dict of Python values each."""
    chunk = part.rows.astype(object)
    for column in part.rows.columns:
        if pd.api.types.is_datetime64_any_dtype(part.rows[column]):
            chunk[column] = part.rows[column].dt.date
    return [{**row, **part.stamp} for row in chunk.where(chunk.notna(), None).to_dict("records")]


def _stored(session, part: DemoTable) -> list[tuple]:
    """Return the table's rows as stored, in a fixed order (ids only where the book gives them)."""
    columns = [
        c for c in part.table.columns if c.name not in RANDOM and (part.numbered or c.name != "id")
    ]
    order = [part.table.c.id] if part.numbered else columns
    return [tuple(row) for row in session.execute(select(*columns).order_by(*order))]


def test_the_demo_book_loads_as_a_core_insert_of_its_rows_stores_it(db_session):
    load_demo(db_session, ACCOUNTS, SEED, as_of=AS_OF)
    now = db_session.scalar(select(Account.created_at).limit(1))
    book = generate_book(ACCOUNTS, SEED, as_of=AS_OF)
    engagement = generate_engagement(book.accounts, SEED, AS_OF)
    users = book.users.drop(columns="password").assign(password_hash="!", active=True)
    tables = demo_tables(book, engagement, users, now)
    loaded = {part.table.name: _stored(db_session, part) for part in tables}

    for part in reversed(tables):
        db_session.execute(delete(part.table))
    for part in tables:
        db_session.execute(insert(part.table), _dict_rows(part))
    inserted = {part.table.name: _stored(db_session, part) for part in tables}

    assert {name: len(rows) for name, rows in loaded.items()} == {
        part.table.name: len(part.rows) for part in tables
    }
    assert all(len(rows) for rows in loaded.values())
    assert loaded == inserted
