"""The book a run evaluates: every field read back exactly, whatever its text holds."""

import threading
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event
from sqlalchemy import text as sa_text

from cstier.extensions import db
from cstier.models import CustomAttribute
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.store import column_reads as columns
from tests.factories import AccountFactory, CompanyFactory

AWKWARD = [
    'Acme, "the" best',
    "two\nlines",
    "tab\there",
    "back\\slash \\N",
    "ünïcødé — 東京",
    "",
    '"',
    "\\N",
]


def _attribute(db_session, key: str, data_type: str) -> None:
    db_session.add(CustomAttribute(key=key, label=key.title(), data_type=data_type))
    db_session.flush()


def _book(db_session, *names: str) -> pd.DataFrame:
    return load_book(db_session, set(names), field_catalog(db_session)).set_index("account_id")


def test_text_values_come_back_exactly_and_null_stays_missing(db_session):
    _attribute(db_session, "motto", "text")
    accounts = [AccountFactory(attributes={"motto": text}) for text in AWKWARD]
    missing = AccountFactory()
    book = _book(db_session, "attr.motto", "plan")
    for account, text in zip(accounts, AWKWARD, strict=True):
        # Only a literal \N is read as missing: it is the NULL marker of the CSV.
        if text != "\\N":
            assert book.loc[account.id, "attr.motto"] == text
    assert pd.isna(book.loc[missing.id, "attr.motto"])
    assert isinstance(book["attr.motto"].dtype, pd.CategoricalDtype)
    assert (book["plan"] == "Pro").all()


def test_company_text_with_separators_and_quotes(db_session):
    company = CompanyFactory(region='EM,EA "x"', industry="Soft\nware")
    account = AccountFactory(company=company)
    book = _book(db_session, "region", "industry")
    assert book.loc[account.id, "region"] == 'EM,EA "x"'
    assert book.loc[account.id, "industry"] == "Soft\nware"


def test_numbers_are_floats_and_unreadable_numbers_become_missing(db_session):
    _attribute(db_session, "score", "number")
    good = AccountFactory(arr_cents=12_345_67, attributes={"score": 7.5})
    as_text = AccountFactory(attributes={"score": "12"})
    junk = AccountFactory(attributes={"score": "n/a, really"})
    empty = AccountFactory(attributes={"score": ""})
    book = _book(db_session, "attr.score", "arr", "employees")
    assert book["attr.score"].dtype == np.float64
    assert book.loc[good.id, "attr.score"] == 7.5
    assert book.loc[good.id, "arr"] == pytest.approx(12_345.67)
    assert book.loc[as_text.id, "attr.score"] == 12.0
    assert pd.isna(book.loc[junk.id, "attr.score"])
    assert pd.isna(book.loc[empty.id, "attr.score"])


def test_booleans_and_dates_are_converted(db_session):
    _attribute(db_session, "champion", "boolean")
    yes = AccountFactory(attributes={"champion": True}, renewal_date=date(2027, 3, 31))
    no = AccountFactory(attributes={"champion": False}, renewal_date=None)
    book = _book(db_session, "attr.champion", "renewal_date")
    assert bool(book.loc[yes.id, "attr.champion"]) is True
    assert bool(book.loc[no.id, "attr.champion"]) is False
    assert book.loc[yes.id, "renewal_date"] == pd.Timestamp("2027-03-31")
    assert pd.isna(book.loc[no.id, "renewal_date"])


def test_a_book_read_in_several_chunks_is_whole_and_in_account_order(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 3)
    regions = ["NA", "EMEA", "APAC", "LATAM", "NA", "EMEA", "MEA"]
    made = [AccountFactory(company=CompanyFactory(region=r)) for r in regions]
    book = load_book(db_session, {"region"}, field_catalog(db_session))
    assert book["account_id"].tolist() == sorted(a.id for a in made)
    by_id = book.set_index("account_id")["region"]
    assert [by_id[a.id] for a in made] == regions
    # Chunks that met different values still share one categorical column.
    assert isinstance(book["region"].dtype, pd.CategoricalDtype)


def test_an_empty_book_has_typed_columns(db_session):
    book = load_book(db_session, {"arr", "region"}, field_catalog(db_session))
    assert book.empty
    assert list(book.columns) == ["account_id", "arr", "region"]


# Several number (or boolean) attributes are read on SQLite as one JSON array per row, which
# goes into the CSV as it stands when it holds only numbers and nulls (booleans: also
# true/false); any other row is read field by field. Each case below pairs a value with
# what the book must hold, whichever way its row was read.
NUMBERS = [
    (7.5, 7.5),
    (-3, -3.0),
    (0, 0.0),
    (0.1, 0.1),
    (1e20, 1e20),
    (123456789.01, 123456789.01),
    (0.30000000000000004, 0.30000000000000004),  # needs 17 digits: read exactly
    (2**53 + 1, float(2**53 + 1)),
    (2**64, float(2**64)),  # beyond 64-bit integers
    (None, None),  # JSON null
    ("12", 12.0),  # a number typed as text
    ("-1.5e3", -1500.0),
    ("12,5", None),
    ("n/a", None),
    ("", None),
    ("null", None),
    ("\\N", None),
    ('"7"', None),
    ("ünïcødé", None),
    ({"a": 1, "b": [2, 3]}, None),
    ([1, 2], None),
    ([], None),
]


def _assert_read(got, expected, stored) -> None:
    assert pd.isna(got) if expected is None else got == expected, f"{stored!r} read as {got!r}"


def _number_book(db_session, rows: list[dict]):
    _attribute(db_session, "score", "number")
    _attribute(db_session, "size", "number")
    return [AccountFactory(attributes=row) for row in rows]


# The other attribute: missing, a plain number, or text that sends every row field by field.
@pytest.mark.parametrize(("size", "size_read"), [(None, None), (4, 4.0), ("x,y", None)])
def test_number_attributes_read_exactly_whatever_the_row_holds(db_session, size, size_read):
    other = {} if size is None else {"size": size}
    accounts = _number_book(db_session, [{"score": value, **other} for value, _ in NUMBERS])
    missing = AccountFactory(attributes=other)
    book = _book(db_session, "attr.score", "attr.size", "arr")
    assert book["attr.score"].dtype == np.float64
    for account, (value, expected) in zip(accounts, NUMBERS, strict=True):
        _assert_read(book.loc[account.id, "attr.score"], expected, value)
    assert pd.isna(book.loc[missing.id, "attr.score"])
    for account in [*accounts, missing]:
        _assert_read(book.loc[account.id, "attr.size"], size_read, size)
    assert (book["arr"] == 120_000.0).all()


def test_booleans_stored_in_a_number_attribute_read_as_one_and_zero(db_session):
    accounts = _number_book(db_session, [{"score": True, "size": 2}, {"score": False, "size": 2}])
    book = _book(db_session, "attr.score", "attr.size")
    # SQLite's json_extract gives 1 and 0; pandas reads PostgreSQL's "true"/"false" so too.
    assert book.loc[[a.id for a in accounts], "attr.score"].tolist() == [1.0, 0.0]


BOOLEANS = [
    (True, True),
    (False, False),
    (None, None),
    (1, True),
    (0, False),
    (2, None),
    (-1, None),
    (1.0, None),
    ("true", True),
    ("False", False),
    ("1", True),
    ("yes", None),
    ("null", None),
    ("", None),
    ({"x": True}, None),
    ({"x": 1, "y": 0}, None),
    ([True], None),
    ([1, 0], None),
]


# The other attribute: a plain true, or text that sends every row field by field.
@pytest.mark.parametrize(("other", "other_read"), [(True, True), ("odd, text", None)])
def test_boolean_attributes_read_exactly_whatever_the_row_holds(db_session, other, other_read):
    _attribute(db_session, "champion", "boolean")
    _attribute(db_session, "renewed", "boolean")
    accounts = [
        AccountFactory(attributes={"champion": value, "renewed": other}) for value, _ in BOOLEANS
    ]
    missing = AccountFactory(attributes={"renewed": other})
    book = _book(db_session, "attr.champion", "attr.renewed")
    for account, (value, expected) in zip(accounts, BOOLEANS, strict=True):
        _assert_read(book.loc[account.id, "attr.champion"], expected, value)
    assert pd.isna(book.loc[missing.id, "attr.champion"])
    for account in [*accounts, missing]:
        _assert_read(book.loc[account.id, "attr.renewed"], other_read, other)


def test_attributes_of_every_kind_keep_their_columns_apart(db_session, monkeypatch):
    # Chunks of three: rows read as arrays and rows read field by field share chunks; every
    # third row has a number typed as text and no renewed/signed, so it goes field by field.
    monkeypatch.setattr(columns, "CHUNK_ROWS", 3)
    for key, data_type in [
        ("motto", "text"),
        ("tier", "choice"),
        ("score", "number"),
        ("seats", "number"),
        ("champion", "boolean"),
        ("renewed", "boolean"),
        ("signed", "date"),
    ]:
        _attribute(db_session, key, data_type)
    rows = [
        {"motto": text, "tier": "gold", "score": i, "seats": 10 * i, "champion": i % 2 == 0}
        | ({"renewed": True, "signed": "2026-05-01"} if i % 3 else {"score": str(i)})
        for i, text in enumerate(AWKWARD)
    ]
    accounts = [AccountFactory(attributes=row, arr_cents=i * 100_01) for i, row in enumerate(rows)]
    names = ["attr.motto", "attr.tier", "attr.score", "attr.seats", "attr.champion"]
    names += ["attr.renewed", "attr.signed", "arr", "plan", "region"]
    book = load_book(db_session, set(names), field_catalog(db_session))
    assert list(book.columns) == ["account_id", *sorted(names)]
    book = book.set_index("account_id")
    for i, (account, row) in enumerate(zip(accounts, rows, strict=True)):
        got = book.loc[account.id]
        if row["motto"] != "\\N":
            assert got["attr.motto"] == row["motto"]
        assert got["attr.tier"] == "gold"
        assert got["attr.score"] == float(i)
        assert got["attr.seats"] == float(10 * i)
        assert got["attr.champion"] == (i % 2 == 0)
        if i % 3:
            assert bool(got["attr.renewed"]) is True
            assert got["attr.signed"] == pd.Timestamp("2026-05-01")
        else:
            assert pd.isna(got["attr.renewed"]) and pd.isna(got["attr.signed"])
        assert got["arr"] == pytest.approx(i * 100.01)
        assert (got["plan"], got["region"]) == ("Pro", "EMEA")
    assert book["attr.score"].dtype == np.float64
    assert isinstance(book["attr.tier"].dtype, pd.CategoricalDtype)


def test_sqlite_reads_number_and_boolean_attributes_as_one_array_each(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads each attribute with ->>")
    for key, data_type in [("a", "number"), ("b", "number"), ("c", "boolean"), ("d", "boolean")]:
        _attribute(db_session, key, data_type)
    AccountFactory(attributes={"a": 1, "b": 2, "c": True, "d": False})
    statements = []

    def listener(conn, cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        book = _book(db_session, "attr.a", "attr.b", "attr.c", "attr.d")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert book.iloc[0].tolist() == [1.0, 2.0, True, False]
    (query,) = [s for s in statements if "json_extract" in s]
    # The paths are bound parameters: two of them per array.
    assert query.count("json_extract(account.attributes, ?, ?)") == 2


def test_table_numbers_are_read_exactly(db_session):
    accounts = [
        AccountFactory(arr_cents=cents, company=CompanyFactory(employees=people))
        for cents, people in [(1, 0), (12_345_678_901_23, None), (-5_00, 2**31 - 1), (10, 7)]
    ]
    book = _book(db_session, "arr", "employees")
    arr = [0.01, 12_345_678_901.23, -5.0, 0.1]
    assert book.loc[[a.id for a in accounts], "arr"].tolist() == arr
    assert book.loc[accounts[0].id, "employees"] == 0.0
    assert pd.isna(book.loc[accounts[1].id, "employees"])
    assert book.loc[accounts[2].id, "employees"] == float(2**31 - 1)


def _sqlite_only(db_session) -> None:
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite stores text in a number column")


@pytest.mark.parametrize("odd", ["a\x1fb", "a\x1eb", "\x1d", "x\x1dy", "\\N", ""])
def test_table_text_holding_a_separator_or_marker_reads_exactly(db_session, odd):
    plain = AccountFactory(company=CompanyFactory(region="NA", industry=None))
    tricky = AccountFactory(company=CompanyFactory(region=odd, industry="Retail"))
    book = _book(db_session, "region", "industry")
    assert book.loc[tricky.id, "region"] == odd
    assert book.loc[plain.id, "region"] == "NA"
    assert pd.isna(book.loc[plain.id, "industry"])
    assert book.loc[tricky.id, "industry"] == "Retail"


def test_sqlite_text_in_a_number_column_becomes_missing(db_session):
    _sqlite_only(db_session)
    typed = AccountFactory(company=CompanyFactory(employees=120))
    odd = AccountFactory(company=CompanyFactory(employees=None))
    db_session.execute(
        sa_text("UPDATE company SET employees = 'about 40' WHERE id = :id"), {"id": odd.company_id}
    )
    book = _book(db_session, "employees", "arr")
    assert book.loc[typed.id, "employees"] == 120.0
    assert pd.isna(book.loc[odd.id, "employees"])


def test_a_plain_book_is_read_column_wise_without_lines(db_session, monkeypatch):
    _attribute(db_session, "motto", "text")
    AccountFactory(arr_cents=500, attributes={"motto": "hi"})
    queries = []
    original = columns.ColumnWise.query
    dialect = db.engine.dialect  # the query may be built on the read-ahead thread

    def recorded(reader, chunk):
        query = original(reader, chunk)
        queries.append(str(query.compile(dialect=dialect)))
        return query

    def no_lines(*args):
        raise AssertionError("a plain chunk must not fall back to CSV lines or COPY")

    monkeypatch.setattr(columns.ColumnWise, "query", recorded)
    monkeypatch.setattr(columns, "_as_lines", no_lines)
    book = _book(db_session, "arr", "plan", "attr.motto")
    assert book.iloc[0][["arr", "plan", "attr.motto"]].tolist() == [5.0, "Pro", "hi"]
    # The accounts' chunk (and the companies') is one query of aggregates, no row made a line.
    assert queries and all("||" not in q for q in queries)
    assert all("group_concat" in q or "string_agg" in q for q in queries)


def test_a_chunk_that_does_not_split_is_read_as_lines(db_session, monkeypatch):
    _attribute(db_session, "motto", "text")
    # The field separator pandas is given; on SQLite, a comma inside a JSON string.
    odd = AccountFactory(plan="a\x1eb", attributes={"motto": "a, b"})
    fell_back = []
    original = columns._as_lines

    def recorded(*args):
        fell_back.append(True)
        return original(*args)

    monkeypatch.setattr(columns, "_as_lines", recorded)
    book = _book(db_session, "attr.motto", "plan")
    assert book.loc[odd.id, "plan"] == "a\x1eb"
    assert book.loc[odd.id, "attr.motto"] == "a, b"
    assert fell_back


def test_chunks_follow_key_ranges_with_gaps(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 4)
    made = [AccountFactory(arr_cents=i * 100) for i in range(12)]
    for gone in made[2:9]:
        db_session.execute(sa_text("DELETE FROM account WHERE id = :id"), {"id": gone.id})
    kept = made[:2] + made[9:]
    book = _book(db_session, "arr")
    assert book.index.tolist() == [a.id for a in kept]
    assert book["arr"].tolist() == [a.arr_cents / 100 for a in kept]


@pytest.mark.parametrize("chunk_rows", [2, 200_000])
def test_text_that_looks_like_numbers_stays_text_across_chunks(db_session, monkeypatch, chunk_rows):
    monkeypatch.setattr(columns, "CHUNK_ROWS", chunk_rows)
    plans = ["01", "02", None, "2.0", "Pro", None]
    made = [AccountFactory(plan=plan, company=CompanyFactory(region=None)) for plan in plans]
    book = _book(db_session, "plan", "region")
    read = [book.loc[a.id, "plan"] for a in made]
    assert [None if pd.isna(p) else p for p in read] == plans
    assert (book["plan"] == "01").sum() == 1
    assert book["region"].isna().all()
    assert isinstance(book["plan"].dtype, pd.CategoricalDtype)


def test_a_date_attribute_without_dashes_reads_as_that_date(db_session):
    _attribute(db_session, "signed", "date")
    account = AccountFactory(attributes={"signed": "20240101"})
    assert _book(db_session, "attr.signed").loc[account.id, "attr.signed"] == pd.Timestamp(
        "2024-01-01"
    )


def test_the_next_chunk_is_read_ahead_on_a_background_thread(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 2)
    made = [AccountFactory(arr_cents=i * 100) for i in range(7)]
    threads = []

    def seen(*args):
        threads.append(threading.current_thread().name)

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        book = _book(db_session, "arr")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert book["arr"].tolist() == [a.arr_cents / 100 for a in made]
    # The test databases are files or servers, so the chunk queries leave the main thread.
    assert any(name.startswith("cstier-db") for name in threads)


def test_a_middle_chunk_read_as_lines_waits_for_the_query_read_ahead(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 2)
    _attribute(db_session, "motto", "text")
    mottos = ["a", "b", "c\x1ed", "e", "f", "g"]
    made = [AccountFactory(attributes={"motto": m}) for m in mottos]
    book = _book(db_session, "attr.motto")
    assert [book.loc[a.id, "attr.motto"] for a in made] == mottos


def test_a_failed_read_ahead_query_fails_the_read_and_frees_the_connection(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 2)
    for i in range(6):
        AccountFactory(arr_cents=i)
    original = columns.ColumnWise.query
    calls = []

    def second_fails(reader, chunk):
        calls.append(chunk)
        if len(calls) == 2:
            raise RuntimeError("the server went away")
        return original(reader, chunk)

    monkeypatch.setattr(columns.ColumnWise, "query", second_fails)
    with pytest.raises(RuntimeError, match="went away"):
        _book(db_session, "arr")
    # Nothing is left running on the connection: the session can go on.
    assert db_session.execute(sa_text("SELECT COUNT(*) FROM account")).scalar() == 6


def test_rows_that_arrive_out_of_key_order_are_put_in_order(db_session, monkeypatch):
    made = [AccountFactory(arr_cents=i * 100, plan=f"P{i}") for i in range(6)]
    original = columns._chunks

    def shuffled(*args):
        # As PostgreSQL's bitmap scans return rows: in heap order, not key order.
        for part in original(*args):
            yield part.iloc[::-1].reset_index(drop=True)

    monkeypatch.setattr(columns, "_chunks", shuffled)
    book = _book(db_session, "arr", "plan")
    assert book.index.tolist() == [a.id for a in made]
    assert book["arr"].tolist() == [a.arr_cents / 100 for a in made]
    assert book["plan"].astype(str).tolist() == [a.plan for a in made]


@pytest.mark.parametrize(
    "text",
    AWKWARD + ["null", "high", "a, b", "[x]", "{y}", "Zürich", "2024", "-0", "true", 'say "hi"'],
)
def test_text_read_beside_numbers_comes_back_exactly(db_session, text):
    # On SQLite, number and text fields share one json_extract array per row.
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    odd = AccountFactory(attributes={"motto": text, "score": 2.5})
    plain = AccountFactory(attributes={"motto": "medium", "score": 4})
    book = _book(db_session, "attr.motto", "attr.score")
    if text != "\\N":  # the NULL marker of the CSV lines, as above
        assert book.loc[odd.id, "attr.motto"] == text
    assert book.loc[odd.id, "attr.score"] == 2.5
    assert book.loc[plain.id, "attr.motto"] == "medium"
    assert book.loc[plain.id, "attr.score"] == 4.0
    assert isinstance(book["attr.motto"].dtype, pd.CategoricalDtype)


def test_numbers_and_text_of_a_plain_book_come_from_one_array(db_session, monkeypatch):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    made = [
        AccountFactory(attributes={"motto": m, "score": s})
        for m, s in [("low", 1), ("high", None), (None, 2.5)]
    ]
    extracts = []

    def no_lines(*args):
        raise AssertionError("a plain chunk must not fall back to CSV lines")

    def seen(conn, cursor, statement, *args):
        extracts.append(statement.lower().count("json_extract"))

    monkeypatch.setattr(columns, "_as_lines", no_lines)
    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        book = _book(db_session, "attr.motto", "attr.score")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [book.loc[a.id, "attr.score"] for a in made][::2] == [1.0, 2.5]
    assert pd.isna(book.loc[made[1].id, "attr.score"])
    assert book.loc[made[0].id, "attr.motto"] == "low"
    assert pd.isna(book.loc[made[2].id, "attr.motto"])
    if db_session.get_bind().dialect.name == "sqlite":
        assert max(extracts) == 1  # one json_extract per row reads both fields


def test_a_text_field_holding_a_json_number_or_boolean_reads_as_json_extract_does(db_session):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    number = AccountFactory(attributes={"motto": 1.50, "score": 1})
    boolean = AccountFactory(attributes={"motto": True, "score": 1})
    book = _book(db_session, "attr.motto", "attr.score")
    sqlite = db_session.get_bind().dialect.name == "sqlite"
    # SQLite's json_extract returns SQL values (1.5, 1); PostgreSQL's ->> the JSON text.
    assert book.loc[number.id, "attr.motto"] == "1.5"
    assert book.loc[boolean.id, "attr.motto"] == ("1" if sqlite else "true")


def test_a_committed_book_is_read_on_two_connections_on_postgresql(db_session, monkeypatch):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 2)
    made = [AccountFactory(arr_cents=i * 100, attributes={"seats": i}) for i in range(9)]
    used = set()

    def seen(conn, cursor, statement, *args):
        if "group_concat" in statement or "string_agg" in statement:
            used.add(id(conn.connection.driver_connection))

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        catalog = field_catalog(db_session)
        book = load_book(db_session, {"arr", "seats"}, catalog, committed=True)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert book["account_id"].tolist() == [a.id for a in made]
    assert book["arr"].tolist() == [a.arr_cents / 100 for a in made]
    assert book["seats"].tolist() == [float(i) for i in range(9)]
    # SQLite measured no faster on two connections, so it keeps the session's.
    assert len(used) == (2 if engine.dialect.name == "postgresql" else 1)


def test_an_uncommitted_change_is_read_when_the_caller_does_not_say_committed(
    db_session, monkeypatch
):
    monkeypatch.setattr(columns, "CHUNK_ROWS", 2)
    made = [AccountFactory(arr_cents=100) for _ in range(5)]
    db_session.execute(
        sa_text("UPDATE account SET arr_cents = 900 WHERE id = :id"), {"id": made[3].id}
    )
    book = _book(db_session, "arr")
    assert book.loc[made[3].id, "arr"] == 9.0


@pytest.mark.parametrize(
    ("stored", "read"),
    # Past int64 SQLite reads a real: the array leaves that to the lines, which write it so.
    [(2024, "2024"), (-0, "0"), (True, "1"), (False, "0"), (10**20, "1.0e+20")],
)
def test_a_bare_json_literal_in_a_text_field_reads_as_sqlite_reads_it(db_session, stored, read):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    account = AccountFactory(attributes={"motto": stored, "score": 1})
    book = _book(db_session, "attr.motto", "attr.score")
    if db_session.get_bind().dialect.name == "sqlite":
        assert book.loc[account.id, "attr.motto"] == read
    else:  # ->> returns the JSON text
        assert book.loc[account.id, "attr.motto"] == str(stored).lower()
