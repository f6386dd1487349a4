"""Import writes and the index set-aside: rows written through the store read back exactly."""

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select

from cstier.models import Account
from cstier.store.import_writes import insert_work, update_work
from cstier.store.set_aside import BULK_ROWS, SetAside, worth_setting_aside
from tests.factories import AccountFactory, CompanyFactory

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
CONSTANTS = {"created_at": NOW, "updated_at": NOW, "version": 1, "attributes": {}}
READ_BACK = (
    Account.external_id,
    Account.name,
    Account.arr_cents,
    Account.plan,
    Account.renewal_date,
    Account.version,
    Account.attributes,
)


def new_accounts(company_id: int, count: int) -> pd.DataFrame:
    """Return new account rows with awkward text, missing plans and missing dates."""
    return pd.DataFrame(
        {
            "external_id": [f"AC-{i}" for i in range(count)],
            "name": [f"A {i}" if i % 5 else f'tab\there, "{i}" \\N' for i in range(count)],
            "unit_type": "company",
            "company_id": company_id,
            "arr_cents": [i * 125 for i in range(count)],
            "plan": [None if i % 3 else f"P{i % 4}" for i in range(count)],
            "lifecycle_stage": "active",
            "renewal_date": pd.to_datetime([None if i % 2 else "2027-01-31" for i in range(count)]),
        }
    )


def expected_rows(frame: pd.DataFrame) -> list[tuple]:
    dates = [None if pd.isna(d) else d.date() for d in frame["renewal_date"]]
    columns = [frame[n].tolist() for n in ("external_id", "name", "arr_cents")]
    columns.append([None if pd.isna(p) else p for p in frame["plan"]])
    return [(*row, day, 1, {}) for *row, day in zip(*columns, dates, strict=True)]


def stored_rows(db_session) -> list[tuple]:
    return [tuple(r) for r in db_session.execute(select(*READ_BACK).order_by(Account.id))]


def insert_accounts(db_session, frame: pd.DataFrame, **options) -> None:
    table = Account.__table__
    insert_work(db_session.connection(), table, frame, CONSTANTS, **options)()


@pytest.mark.parametrize("rows_per_statement", [1, 50, 123, 2_000])
def test_inserted_rows_read_back_however_many_go_in_one_statement(db_session, rows_per_statement):
    frame = new_accounts(CompanyFactory().id, 123)
    insert_accounts(db_session, frame, rows_per_statement=rows_per_statement)
    assert stored_rows(db_session) == expected_rows(frame)


def test_updated_rows_read_back_and_only_they_move_to_a_new_version(db_session):
    frame = new_accounts(CompanyFactory().id, 5)
    insert_accounts(db_session, frame)
    ids = db_session.scalars(select(Account.id).order_by(Account.id)).all()
    changes = pd.DataFrame(
        {
            "id": ids[1:3],
            "plan": ["Enterprise\tplus", None],
            "renewal_date": pd.to_datetime(["2028-02-29", None]),
        }
    )
    later = {"updated_at": datetime(2026, 4, 1, tzinfo=UTC)}
    update_work(db_session.connection(), Account.__table__, changes, later, versioned=True)()
    db_session.expire_all()
    expected = expected_rows(frame)
    expected[1] = (*expected[1][:3], "Enterprise\tplus", datetime(2028, 2, 29).date(), 2, {})
    expected[2] = (*expected[2][:3], None, None, 2, {})
    assert stored_rows(db_session) == expected


def schema_of_accounts(db_session) -> tuple[set[str], set[str]]:
    """Return the names of the account table's indexes and foreign keys, as the database has them."""
    inspector = inspect(db_session.connection())
    indexes = {i["name"] for i in inspector.get_indexes("account")}
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("account")}
    return indexes, foreign_keys


def test_a_load_between_setting_aside_and_restoring_keeps_every_index_and_row(db_session):
    frame = new_accounts(CompanyFactory().id, 20)
    declared = schema_of_accounts(db_session)
    aside = SetAside(db_session.connection(), Account.__table__)
    aside.drop()
    indexes, _ = schema_of_accounts(db_session)
    assert indexes.isdisjoint(i.name for i in Account.__table__.indexes)
    insert_accounts(db_session, frame)
    aside.restore()
    assert schema_of_accounts(db_session) == declared
    assert stored_rows(db_session) == expected_rows(frame)
    by_name = select(Account.external_id).where(Account.name == "A 7")
    assert db_session.scalar(by_name) == "AC-7"


def test_a_load_rolled_back_after_setting_aside_keeps_the_indexes(db_session):
    frame = new_accounts(CompanyFactory().id, 20)
    declared = schema_of_accounts(db_session)
    SetAside(db_session.connection(), Account.__table__).drop()
    insert_accounts(db_session, frame)
    db_session.rollback()
    assert schema_of_accounts(db_session) == declared
    assert db_session.scalar(select(func.count()).select_from(Account)) == 0


@pytest.mark.parametrize(
    ("new_rows", "stored", "worth"),
    [(4, 0, False), (5, 0, True), (5, 5, True), (5, 6, False), (50, 6, True)],
)
def test_a_load_is_set_aside_when_large_in_itself_and_against_the_table(
    db_session, new_rows, stored, worth
):
    for _ in range(stored):
        AccountFactory()
    connection = db_session.connection()
    assert worth_setting_aside(connection, Account.__table__, new_rows, bulk_rows=5) is worth
    assert worth_setting_aside(connection, Account.__table__, BULK_ROWS - 1) is False
