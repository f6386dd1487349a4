"""A derivation's stored suggestions are what the suggester gives on the whole book, read after.

derive_coverage gathers the suggester's inputs before it writes (only the changed accounts,
the owned accounts, stored ARR totals moved by the changes). Here the same suggester runs
on inputs read the plain way once the derivation is done: every open account, the whole
book, each model's mean ARR over it. Both must agree for every newly flagged account.
"""

import pandas as pd
import pytest

from cstier.models import AccountCoverage, Pool
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.derive import (
    CoverageInputs,
    apply_coverage,
    derive_coverage,
    stored_coverage,
)
from cstier.services.coverage.tiers import current_tiers
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.coverage.conftest import (
    give_profile,
    set_tiers,
    stored_suggestions,
    suggestions_on_whole_book,
)

# (ARR, region, owner, tiers before, tiers after); owner: a CSM's index, "pool" or None.
BOOK = [
    (900_000_00, "EMEA", 0, ("Strategic", "High"), ("Growth", "Low")),
    (300_000_00, "NA", 0, ("Strategic", "High"), ("Strategic", "High")),
    (280_000_00, "EMEA", 1, ("Strategic", "Medium"), ("Scale", "Low")),
    (120_000_00, "EMEA", "pool", ("Growth", "Low"), ("Strategic", "High")),
    (90_000_00, "NA", "pool", ("Growth", "Low"), ("Growth", "Low")),
    (60_000_00, "EMEA", None, ("Growth", "Low"), ("Strategic", "High")),
    (40_000_00, "APAC", 2, ("Scale", "Low"), ("Growth", "Medium")),
    (20_000_00, "EMEA", 2, ("Scale", "Low"), (None, None)),
    (10_000_00, "NA", None, ("Scale", "Low"), ("Scale", "Low")),
    (5_000_00, "EMEA", None, (None, None), ("Scale", "High")),
    (250_000_00, "NA", 1, ("Growth", "High"), ("Scale", "Medium")),
]


def run_book(session, columns: list[str]) -> pd.DataFrame:
    """Return the book columns a tiering run hands derive_coverage, by account id."""
    ids = current_tiers(session)["account_id"].to_numpy()
    return coverage_reads.account_facts(session, ids).set_index("account_id")[columns]


# Where the changed accounts' facts and the ARR totals come from: the database (no book),
# a run's book, or the database again as the book lacks a column (no region here).
SOURCES = {
    "database": None,
    "book": ["arr_cents", "region", "vertical"],
    "book without region": ["arr_cents", "vertical"],
}


@pytest.mark.parametrize("source", SOURCES)
def test_stored_suggestions_match_the_suggester_on_the_whole_book(db_session, seeded, source):
    csms = [UserFactory(role="csm") for _ in range(4)]
    for csm, serves in zip(csms, (["high_touch"], ["high_touch", "pooled"],
                                  ["pooled", "tech_touch"], ["tech_touch"]), strict=True):  # fmt: skip
        give_profile(csm, serves, regions=["EMEA", "NA"] if serves == ["high_touch"] else [])
    pool = Pool(name="Pooled EMEA", coverage_model_id=seeded["pooled"].id,
                member_ids=[csms[1].id, csms[2].id])  # fmt: skip
    db_session.add(pool)
    accounts = []
    for arr, region, owner, tiers, _ in BOOK:
        csm = csms[owner] if isinstance(owner, int) else None
        account = AccountFactory(company=CompanyFactory(region=region), arr_cents=arr, csm=csm)
        set_tiers(account, *tiers)
        accounts.append(account)
    derive_coverage(db_session)
    for account, (_, _, owner, _, _) in zip(accounts, BOOK, strict=True):
        if owner == "pool":
            db_session.get(AccountCoverage, account.id).pool_id = pool.id
    db_session.commit()
    for account, (*_, after) in zip(accounts, BOOK, strict=True):
        set_tiers(account, *after)

    columns = SOURCES[source]
    facts = pd.DataFrame() if columns is None else run_book(db_session, columns)
    inputs = CoverageInputs(current_tiers(db_session), stored_coverage(db_session), facts)
    summary = apply_coverage(db_session, inputs, run_id=None, now=utcnow())
    db_session.commit()

    stored = stored_suggestions()
    assert summary.flagged == len(stored) == 6  # the owned accounts whose model changed
    assert stored == suggestions_on_whole_book(stored)
    assert any(owner is not None for owner in stored.values())
