"""Column reads: rows written, read back through read_columns in key chunks of any size."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import func, select, update
from sqlalchemy import text as sa_text
from sqlalchemy.exc import DBAPIError

from cstier.models import Account, Company, CustomAttribute
from cstier.store.column_reads import CHUNK_ROWS, JsonFields, read_columns
from tests.factories import AccountFactory, CompanyFactory

ACCOUNT_KINDS = {"account_id": "int", "arr_cents": "number", "plan": "text"}
CHUNK_SIZES = [1, 2, 3, CHUNK_ROWS]
# The smallest 64-bit integer: both engines refuse to take its absolute value.
SMALLEST_BIGINT = -(2**63)


def _attribute(db_session, key: str, data_type: str) -> None:
    db_session.add(CustomAttribute(key=key, label=key.title(), data_type=data_type))
    db_session.flush()


def read_accounts(db_session, attributes: dict[str, str] | None = None, **options) -> pd.DataFrame:
    """Read id, ARR and plan of every account, plus the named attributes ({key: kind})."""
    attributes = attributes or {}
    stmt = select(Account.id, Account.arr_cents, Account.plan)
    json_fields = JsonFields(Account.attributes, {k: k for k in attributes}) if attributes else None
    kinds = ACCOUNT_KINDS | attributes
    return read_columns(db_session, stmt, list(ACCOUNT_KINDS), kinds, json_fields, **options)


def read_regions(db_session, **options) -> pd.DataFrame:
    stmt = select(Company.id, Company.region)
    kinds = {"company_id": "int", "region": "text"}
    return read_columns(db_session, stmt, list(kinds), kinds, **options)


@pytest.mark.parametrize("chunk_rows", CHUNK_SIZES)
def test_any_chunk_size_reads_every_row_exactly_in_key_order(db_session, chunk_rows):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    rows = [(i * 100_01, f"P{i % 3}", f"m{i}", i / 4) for i in range(7)]
    made = [
        AccountFactory(arr_cents=arr, plan=plan, attributes={"motto": motto, "score": score})
        for arr, plan, motto, score in rows
    ]
    book = read_accounts(db_session, {"motto": "text", "score": "number"}, chunk_rows=chunk_rows)
    assert book["account_id"].tolist() == [a.id for a in made]
    assert book["arr_cents"].tolist() == [float(arr) for arr, *_ in rows]
    assert book["plan"].astype(str).tolist() == [plan for _, plan, *_ in rows]
    assert book["motto"].astype(str).tolist() == [motto for *_, motto, _ in rows]
    assert book["score"].tolist() == [score for *_, score in rows]
    # Chunks that met different values still share one categorical column.
    assert isinstance(book["plan"].dtype, pd.CategoricalDtype)
    assert isinstance(book["motto"].dtype, pd.CategoricalDtype)


def test_a_read_in_several_chunks_is_whole_and_in_key_order(db_session):
    regions = ["NA", "EMEA", "APAC", "LATAM", "NA", "EMEA", "MEA"]
    made = [CompanyFactory(region=r) for r in regions]
    read = read_regions(db_session, chunk_rows=3)
    assert read["company_id"].tolist() == [c.id for c in made]
    assert read["region"].astype(str).tolist() == regions
    assert isinstance(read["region"].dtype, pd.CategoricalDtype)


def test_chunks_follow_key_ranges_with_gaps(db_session):
    made = [AccountFactory(arr_cents=i * 100) for i in range(12)]
    for gone in made[2:9]:
        db_session.execute(sa_text("DELETE FROM account WHERE id = :id"), {"id": gone.id})
    kept = made[:2] + made[9:]
    book = read_accounts(db_session, chunk_rows=4)
    assert book["account_id"].tolist() == [a.id for a in kept]
    assert book["arr_cents"].tolist() == [float(a.arr_cents) for a in kept]


def test_an_empty_select_has_typed_columns(db_session):
    book = read_accounts(db_session, {"score": "number"}, chunk_rows=2)
    assert book.empty
    assert list(book.columns) == ["account_id", "arr_cents", "plan", "score"]
    assert book["account_id"].dtype == "int64" and book["score"].dtype == "float64"


@pytest.mark.parametrize("few", [False, True])
@pytest.mark.parametrize("chunk_rows", CHUNK_SIZES)
def test_values_that_do_not_split_read_exactly_beside_chunks_that_do(db_session, chunk_rows, few):
    _attribute(db_session, "motto", "text")
    # The field separator pandas is given, a NULL marker, a comma inside a JSON string.
    mottos = ["a", "b", "c\x1ed", "e", "\x1d", "a, b", "g"]
    plans = ["Pro", "x\x1eb", "Pro", "Pro", "\x1d", "Pro", "x\x1fy"]
    made = [
        AccountFactory(plan=plan, attributes={"motto": motto})
        for plan, motto in zip(plans, mottos, strict=True)
    ]
    book = read_accounts(db_session, {"motto": "text"}, chunk_rows=chunk_rows, few=few)
    assert book["account_id"].tolist() == [a.id for a in made]
    assert book["motto"].astype(str).tolist() == mottos
    assert book["plan"].astype(str).tolist() == plans


@pytest.mark.parametrize("few", [False, True])
@pytest.mark.parametrize("motto", ["Zürich", "São Paulo", "2024", "true", "", "a, b", 'say "hi"'])
def test_text_beside_numbers_in_the_same_document_reads_exactly(db_session, motto, few):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    odd = AccountFactory(attributes={"motto": motto, "score": 1})
    plain = AccountFactory(attributes={"motto": "medium", "score": 2})
    book = read_accounts(db_session, {"motto": "text", "score": "number"}, few=few)
    book = book.set_index("account_id")
    assert book.loc[odd.id, "motto"] == motto
    assert book.loc[odd.id, "score"] == 1.0
    assert (book.loc[plain.id, "motto"], book.loc[plain.id, "score"]) == ("medium", 2.0)


def test_rows_changed_after_they_were_written_come_back_in_key_order(db_session):
    made = [AccountFactory(arr_cents=i * 100, plan=f"P{i}") for i in range(6)]
    # An update writes a new row version at the end of a PostgreSQL table, so a scan meets
    # the first accounts last.
    for account in made[:3]:
        db_session.execute(
            update(Account).where(Account.id == account.id).values(plan=f"Q{account.id}")
        )
    db_session.commit()
    book = read_accounts(db_session)
    assert book["account_id"].tolist() == [a.id for a in made]
    assert book["arr_cents"].tolist() == [float(a.arr_cents) for a in made]
    plans = [f"Q{a.id}" for a in made[:3]] + [a.plan for a in made[3:]]
    assert book["plan"].astype(str).tolist() == plans


def test_a_failing_chunk_fails_the_read_and_leaves_the_session_usable(db_session):
    # The fourth account's value overflows, in the second of three chunks.
    made = [AccountFactory(arr_cents=c) for c in [100, 200, 300, 0, 500, 600]]
    overflowing = func.abs(Account.arr_cents + SMALLEST_BIGINT)
    stmt = select(Account.id, overflowing)
    kinds = {"account_id": "int", "absolute": "number"}
    with pytest.raises(DBAPIError):
        read_columns(db_session, stmt, list(kinds), kinds, chunk_rows=2)
    # Nothing is left running on the connection: the session rolls back and goes on.
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Account)) == len(made)


@pytest.mark.parametrize("chunk_rows", [2, CHUNK_ROWS])
def test_a_committed_read_returns_what_the_session_reads(db_session, chunk_rows):
    _attribute(db_session, "seats", "number")
    for i in range(9):
        AccountFactory(arr_cents=i * 100, plan=f"P{i % 2}", attributes={"seats": i})
    db_session.commit()
    attributes = {"seats": "number"}
    # On PostgreSQL a committed read of several chunks spreads them over two connections.
    committed = read_accounts(db_session, attributes, chunk_rows=chunk_rows, committed=True)
    assert_frame_equal(committed, read_accounts(db_session, attributes, chunk_rows=chunk_rows))
    assert committed["seats"].tolist() == [float(i) for i in range(9)]


def test_an_uncommitted_change_is_read_when_the_caller_does_not_say_committed(db_session):
    made = [AccountFactory(arr_cents=100) for _ in range(5)]
    db_session.execute(
        sa_text("UPDATE account SET arr_cents = 900 WHERE id = :id"), {"id": made[3].id}
    )
    book = read_accounts(db_session, chunk_rows=2).set_index("account_id")
    assert book.loc[made[3].id, "arr_cents"] == 900.0
    assert (book.drop(index=made[3].id)["arr_cents"] == 100.0).all()


def test_a_read_of_few_rows_types_them_as_a_chunked_read_does(db_session):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    _attribute(db_session, "vip", "boolean")
    for i in range(4):
        AccountFactory(
            arr_cents=None if i == 2 else i * 100,
            plan=None if i == 1 else f"P{i}",
            attributes={"motto": f"m{i}", "score": i / 2, "vip": i % 2 == 0} if i != 3 else {},
        )
    kinds = {"motto": "text", "score": "number", "vip": "boolean"}
    chunked = read_accounts(db_session, kinds)
    few = read_accounts(db_session, kinds, few=True)
    # Booleans come back as strings, spelled as each engine writes them (callers convert).
    truth = {"true": True, "1": True, "false": False, "0": False}
    for frame in (chunked, few):
        frame["vip"] = frame["vip"].map(truth)
    assert_frame_equal(few, chunked)
    empty = read_columns(
        db_session, select(Account.id).where(Account.id < 0), ["account_id"], {}, few=True
    )
    assert empty.empty and list(empty.columns) == ["account_id"]
