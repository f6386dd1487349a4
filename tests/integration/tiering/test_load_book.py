"""The book a run evaluates: every field read back exactly, whatever its text holds."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text as sa_text

from cstier.models import CustomAttribute
from cstier.services.tiering.fields import field_catalog, load_book
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


def _book(db_session, *names: str, **options) -> pd.DataFrame:
    catalog = field_catalog(db_session)
    return load_book(db_session, set(names), catalog, **options).set_index("account_id")


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


def test_attributes_of_every_kind_keep_their_columns_apart(db_session):
    # Chunks of three: rows read as arrays and rows read field by field share chunks; every
    # third row has a number typed as text and no renewed/signed, so it goes field by field.
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
    book = load_book(db_session, set(names), field_catalog(db_session), chunk_rows=3)
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


def test_number_and_boolean_attributes_read_together_come_back_apart(db_session):
    # On SQLite each kind's fields come from one json_extract array per row.
    for key, data_type in [("a", "number"), ("b", "number"), ("c", "boolean"), ("d", "boolean")]:
        _attribute(db_session, key, data_type)
    AccountFactory(attributes={"a": 1, "b": 2, "c": True, "d": False})
    AccountFactory(attributes={"a": None, "b": 2.5, "d": True})
    book = _book(db_session, "attr.a", "attr.b", "attr.c", "attr.d")
    assert book.iloc[0].tolist() == [1.0, 2.0, True, False]
    second = book.iloc[1]
    assert pd.isna(second["attr.a"]) and pd.isna(second["attr.c"])
    assert (second["attr.b"], second["attr.d"]) == (2.5, True)


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


def test_values_holding_a_separator_in_a_table_and_an_attribute_read_exactly(db_session):
    _attribute(db_session, "motto", "text")
    # The field separator pandas is given; on SQLite, a comma inside a JSON string.
    odd = AccountFactory(plan="a\x1eb", attributes={"motto": "a, b"})
    book = _book(db_session, "attr.motto", "plan")
    assert book.loc[odd.id, "plan"] == "a\x1eb"
    assert book.loc[odd.id, "attr.motto"] == "a, b"


@pytest.mark.parametrize("chunk_rows", [2, 200_000])
def test_text_that_looks_like_numbers_stays_text_across_chunks(db_session, chunk_rows):
    plans = ["01", "02", None, "2.0", "Pro", None]
    made = [AccountFactory(plan=plan, company=CompanyFactory(region=None)) for plan in plans]
    book = _book(db_session, "plan", "region", chunk_rows=chunk_rows)
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


def test_numbers_and_text_of_a_plain_book_come_back_exactly(db_session):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    made = [
        AccountFactory(attributes={"motto": m, "score": s})
        for m, s in [("low", 1), ("high", None), (None, 2.5)]
    ]
    book = _book(db_session, "attr.motto", "attr.score")
    assert [book.loc[a.id, "attr.score"] for a in made][::2] == [1.0, 2.5]
    assert pd.isna(book.loc[made[1].id, "attr.score"])
    assert book.loc[made[0].id, "attr.motto"] == "low"
    assert pd.isna(book.loc[made[2].id, "attr.motto"])


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


def test_one_account_reads_as_its_row_of_the_whole_book(db_session):
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    _attribute(db_session, "champion", "boolean")
    company = CompanyFactory(region='EM,EA "x"', industry="Soft\nware", employees=40)
    accounts = [
        AccountFactory(
            company=company,
            arr_cents=1_000_00 * i,
            renewal_date=date(2027, 3, i + 1),
            attributes={"motto": AWKWARD[i], "score": i / 2, "champion": i % 2 == 0},
        )
        for i in range(3)
    ]
    names = ("attr.motto", "attr.score", "attr.champion", "arr", "plan", "renewal_date")
    names += ("region", "industry", "employees")
    whole = _book(db_session, *names)
    for account in accounts:
        alone = _book(db_session, *names, accounts=[account.id])
        assert alone.index.tolist() == [account.id]
        pd.testing.assert_series_equal(
            alone.loc[account.id].astype(object), whole.loc[account.id].astype(object)
        )
