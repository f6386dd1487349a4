"""The book a run evaluates: every field read back exactly, whatever its text holds."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cstier.models import CustomAttribute
from cstier.services import columns
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
