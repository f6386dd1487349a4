"""Rows loaded in bulk, as columns, are stored as a Core insert stores them, defaults and JSON included."""

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from cstier.models import Account, Company, User
from cstier.store.table_loads import load_columns

STAMP = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
TRICKY = ["plain", "tab\there", "line\nbreak", "back\\slash \\N", "quotes ' \"", "漢字 🚀"]


def _accounts(company_id: int, prefix: str) -> list[dict]:
    return [
        {
            "external_id": f"{prefix}-{i}",
            "name": name,
            "company_id": company_id,
            "arr_cents": i * 1_000,
            "contract_start_date": None if i == 0 else date(2025, 1, i + 1),
            "attributes": {"crm": name, "seats": i, "sso": i % 2 == 0},
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        for i, name in enumerate(TRICKY)
    ]


def _columns(rows: list[dict]) -> dict[str, list]:
    return {name: [row[name] for row in rows] for name in rows[0]}


def _stored(session, prefix: str) -> list[tuple]:
    rows = session.execute(
        select(
            Account.name, Account.arr_cents, Account.contract_start_date,
            Account.attributes, Account.created_at, Account.version,
        )
        .where(Account.external_id.startswith(f"{prefix}-"))
        .order_by(Account.external_id)
    ).all()  # fmt: skip
    return [(*row[:4], row[4].replace(tzinfo=row[4].tzinfo or UTC), row[5]) for row in rows]


def test_loaded_rows_match_what_a_core_insert_stores(db_session):
    company = Company(external_id="CO-LOAD", name="Load Inc")
    db_session.add(company)
    db_session.flush()

    load_columns(db_session, Account.__table__, _columns(_accounts(company.id, "LOADED")))
    db_session.execute(insert(Account.__table__), _accounts(company.id, "CORE"))

    loaded = _stored(db_session, "LOADED")
    assert loaded == _stored(db_session, "CORE")
    assert [row[0] for row in loaded] == TRICKY
    assert loaded[1][3] == {"crm": "tab\there", "seats": 1, "sso": False}
    assert {row[5] for row in loaded} == {1}  # the mapping's default version


def test_python_side_defaults_are_made_per_row(db_session):
    users = [
        {"email": f"load{i}@example.com", "name": f"U{i}", "password_hash": "!",
         "created_at": STAMP, "updated_at": STAMP}
        for i in range(3)
    ]  # fmt: skip

    load_columns(db_session, User.__table__, _columns(users))

    stored = db_session.execute(
        select(User.role, User.active, User.session_token).where(User.email.like("load%"))
    ).all()
    assert len(stored) == 3
    assert {(role, active) for role, active, _ in stored} == {("viewer", True)}
    assert len({token for _, _, token in stored}) == 3


def test_nothing_to_load_writes_nothing(db_session):
    before = db_session.scalar(select(Account.id).limit(1))

    load_columns(db_session, Account.__table__, {"name": [], "arr_cents": []})

    assert db_session.scalar(select(Account.id).limit(1)) == before
