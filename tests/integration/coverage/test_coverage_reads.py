"""What a derivation reads to suggest the new owners of the accounts it flags."""

import pandas as pd

from cstier.services.coverage import coverage_reads
from cstier.services.coverage.derive import derive_coverage, facts_from_book, stored_coverage
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.snapshot import BookSnapshot
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.coverage.conftest import set_tiers


def test_account_facts_are_read_for_exactly_the_given_accounts(db_session, seeded, csm):
    acme = CompanyFactory(region="EMEA", industry="Retail")
    owned = AccountFactory(company=acme, csm=csm, arr_cents=120_000_00)
    other = AccountFactory(company=CompanyFactory(region="NA", industry="Software"))
    AccountFactory()  # not asked for
    facts = coverage_reads.account_facts(db_session, [other.id, owned.id, 999_999])
    rows = {r["account_id"]: r for r in facts.to_dict("records")}
    assert set(rows) == {owned.id, other.id}  # an unknown id is no row
    assert (rows[owned.id]["region"], rows[owned.id]["vertical"]) == ("EMEA", "Retail")
    assert (rows[owned.id]["arr_cents"], rows[owned.id]["csm_id"]) == (120_000_00, csm.id)
    assert rows[other.id]["region"] == "NA"
    assert facts["csm_id"].isna().tolist().count(True) == 1
    assert coverage_reads.account_facts(db_session, []).empty


def test_model_arr_totals_are_over_every_account_of_the_model(db_session, seeded, csm):
    cheap, dear, other = (
        AccountFactory(arr_cents=10_000_00),
        AccountFactory(csm=csm, arr_cents=30_000_00),
        AccountFactory(arr_cents=400_000_00),
    )
    for account in (cheap, dear):
        set_tiers(account, "Scale", "Low")  # tech-touch
    set_tiers(other, "Strategic", "High")
    AccountFactory(arr_cents=999_999_00)  # untiered: no model, in no total
    derive_coverage(db_session)
    totals = coverage_reads.model_arr_totals(db_session)
    assert totals.to_dict("index") == {
        seeded["tech_touch"].id: {"arr_cents": 40_000_00, "accounts": 2},
        seeded["high_touch"].id: {"arr_cents": 400_000_00, "accounts": 1},
    }


def test_a_runs_book_gives_the_facts_and_totals_the_database_does(db_session, seeded, csm):
    """A tiering run hands its book over; flagging owned accounts then reads neither."""
    book = [
        AccountFactory(company=CompanyFactory(region="EMEA", industry="Retail"), csm=csm,
                       arr_cents=120_000_00),
        AccountFactory(company=CompanyFactory(region="NA", industry=None), arr_cents=30_000_00),
        AccountFactory(company=CompanyFactory(region=None), csm=csm, arr_cents=400_000_00),
        AccountFactory(arr_cents=5_000_00),
    ]  # fmt: skip
    for account, tiers in zip(book, (("Strategic", "High"), ("Scale", "Low"), ("Scale", "Low"),
                                     (None, None)), strict=True):  # fmt: skip
        set_tiers(account, *tiers)
    derive_coverage(db_session)
    # As a run reads them: region and vertical as categories, the ARR field as float cents.
    fields = {"arr", "region", "industry"}
    accounts = load_book(db_session, fields, field_catalog(db_session), field_arr=True)
    snapshot = BookSnapshot(accounts, {}, {}, stored_coverage(db_session))
    run_book = snapshot.coverage_inputs({}).facts
    changed = pd.Index([book[2].id, book[0].id, book[3].id])

    facts, totals = facts_from_book(run_book, changed, stored_coverage(db_session))

    expected = coverage_reads.account_facts(db_session, changed.to_numpy())
    assert rows(facts) == rows(expected)
    assert totals.to_dict("index") == coverage_reads.model_arr_totals(db_session).to_dict("index")
    # No book, a book lacking a column, or lacking an account with a stored model: the
    # database answers.
    stored = stored_coverage(db_session)
    assert facts_from_book(pd.DataFrame(), changed, stored) == (None, None)
    assert facts_from_book(run_book.drop(columns="region"), changed, stored) == (None, None)
    assert facts_from_book(run_book.drop(index=book[1].id), changed, stored) == (None, None)


def rows(facts: pd.DataFrame) -> dict:
    """Return facts by account id, with any missing value as None and numbers as ints."""
    return {
        int(r["account_id"]): {k: None if pd.isna(v) else v for k, v in r.items()}
        for r in facts.astype(object).to_dict("records")
    }
