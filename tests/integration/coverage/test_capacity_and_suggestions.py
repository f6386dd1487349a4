"""Capacity numbers, what-if headcount, and suggestions accepted all or some."""

import pandas as pd
import pytest
from sqlalchemy import select

from cstier.domain.coverage import csm_loads, headcount_plan
from cstier.domain.permissions import Actor
from cstier.models import Account, AccountCoverage, ChurnedAccount
from cstier.services.coverage import coverage_reads, suggestions
from cstier.services.coverage.capacity import capacity_report, headcount_for_tiers
from cstier.services.coverage.derive import derive_coverage
from cstier.services.errors import ValidationFailed
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.coverage.conftest import give_profile, set_tiers


@pytest.fixture
def book(db_session, seeded, csm, other_csm):
    """csm owns 10 high-touch accounts; 4 more high-touch and 2 pooled are unassigned."""
    give_profile(csm, ["high_touch"], fte="0.5")
    give_profile(other_csm, ["high_touch", "pooled"], regions=["EMEA"])
    owned = [AccountFactory(csm=csm, arr_cents=200_000_00) for _ in range(10)]
    apac = CompanyFactory(region="APAC")
    open_high = [AccountFactory(arr_cents=(300 - i) * 1000_00) for i in range(4)]
    open_pooled = [AccountFactory(company=apac, arr_cents=60_000_00) for _ in range(2)]
    for account in owned + open_high:
        set_tiers(account, "Strategic", "High")
    for account in open_pooled:
        set_tiers(account, "Growth", "Low")
    derive_coverage(db_session)
    db_session.commit()
    return {"owned": owned, "open_high": open_high, "open_pooled": open_pooled}


def test_capacity_report(db_session, book, seeded, csm):
    report = capacity_report(db_session)
    loads = {row["csm_id"]: row for row in report.csms}
    assert loads[csm.id]["accounts"] == 10
    assert loads[csm.id]["load_pct"] == 40.0  # 10 of 50 on half an FTE
    assert loads[csm.id]["arr_load_pct"] == 80.0  # 2M of 5M on half an FTE
    assert loads[csm.id]["status"] == "under"
    models = {row["key"]: row for row in report.models}
    assert models["high_touch"]["accounts"] == 14
    assert models["high_touch"]["required"] == 1
    assert models["high_touch"]["current"] == pytest.approx(1.0)  # 0.5 busy + 0.5 idle split
    assert models["pooled"]["accounts"] == 2
    assert report.unassigned == 6


def test_capacity_report_from_sums_matches_the_accounts_one_by_one(db_session, book, csm):
    """Loads, headcount and unassigned come from SQL sums; churned accounts stay out."""
    db_session.add(ChurnedAccount(account_id=book["owned"][0].id))
    db_session.add(ChurnedAccount(account_id=book["open_high"][0].id))
    db_session.commit()

    report = capacity_report(db_session)

    accounts = coverage_reads.book_frame(db_session)
    csms = coverage_reads.csms_frame(db_session)
    models = coverage_reads.models_frame(db_session)
    loads = {row["csm_id"]: row for row in report.csms}
    for row in csm_loads(accounts, csms, models).itertuples(index=False):
        assert loads[row.csm_id]["accounts"] == row.accounts
        assert loads[row.csm_id]["arr_cents"] == row.arr_cents
        assert loads[row.csm_id]["load"] == row.load
        assert loads[row.csm_id]["status"] == row.status
    expected = headcount_plan(accounts, csms, models)
    assert [m["accounts"] for m in report.models] == expected["accounts"].tolist()
    assert [m["arr_cents"] for m in report.models] == expected["arr_cents"].tolist()
    assert [m["required"] for m in report.models] == expected["required"].tolist()
    assert [m["current"] for m in report.models] == expected["current"].tolist()
    assert loads[csm.id]["accounts"] == 9
    assert report.unassigned == 5


def test_headcount_for_proposed_tiers(db_session, book, seeded):
    ids = [a.id for a in book["owned"]]
    value = pd.Series(["Scale"] * len(ids), index=ids)
    needs = pd.Series(["Low"] * len(ids), index=ids)
    plan = headcount_for_tiers(db_session, value, needs).set_index("key")
    assert plan.loc["high_touch", "accounts"] == 4
    assert plan.loc["tech_touch", "accounts"] == 10
    assert plan.loc["tech_touch", "required"] == 1
    assert set(plan.columns) >= {"required", "current", "gap", "by_count", "by_arr"}


def test_proposals_respect_model_region_and_capacity(db_session, book, csm, other_csm):
    proposals = suggestions.propose(db_session).set_index("account_id")
    for account in book["open_high"]:
        assert proposals.loc[account.id, "csm_id"] in (csm.id, other_csm.id)
    for account in book["open_pooled"]:  # APAC: other_csm covers EMEA only
        assert pd.isna(proposals.loc[account.id, "csm_id"])
        assert "APAC" in proposals.loc[account.id, "reason"]
    assert suggestions.propose(db_session).equals(suggestions.propose(db_session).copy())


def test_accept_some_then_all(db_session, manager, book):
    actor = Actor(user_id=manager.id, role=manager.role)
    proposals = suggestions.propose(db_session)
    picks = suggestions.all_picks(proposals)
    first = suggestions.accept(db_session, actor, picks[:1], "Take one")
    assert first.applied == 1
    assert db_session.get(Account, picks[0][0]).csm_id == picks[0][1]
    rest = suggestions.accept(
        db_session, actor, suggestions.all_picks(suggestions.propose(db_session)), "All"
    )
    assert rest.applied == 3
    open_ids = suggestions.propose(db_session)["account_id"].tolist()
    assert sorted(open_ids) == sorted(a.id for a in book["open_pooled"])


def test_accept_reports_refused_picks(db_session, manager, book, csm):
    actor = Actor(user_id=manager.id, role=manager.role)
    pooled_id = book["open_pooled"][0].id
    result = suggestions.accept(db_session, actor, [(pooled_id, csm.id, None)], "Forced")
    assert result.applied == 0
    assert "does not serve Pooled" in result.skipped[0]
    assert db_session.get(Account, pooled_id).csm_id is None


def test_flagged_account_keeps_a_still_valid_owner(db_session, book, csm):
    account = book["owned"][0]
    coverage = db_session.get(AccountCoverage, account.id)
    coverage.needs_reassignment = True
    db_session.commit()
    proposals = suggestions.propose(db_session).set_index("account_id")
    assert proposals.loc[account.id, "csm_id"] == csm.id
    assert bool(proposals.loc[account.id, "kept"])
    assert db_session.scalars(select(AccountCoverage)).all()


def test_a_kept_proposal_is_not_counted_as_accepted(db_session, manager, book, csm):
    account = book["owned"][0]
    db_session.get(AccountCoverage, account.id).needs_reassignment = True
    db_session.commit()
    actor = Actor(user_id=manager.id, role=manager.role)

    result = suggestions.accept(db_session, actor, [(account.id, csm.id, None)], "Keep")

    assert (result.applied, result.kept) == (0, 1)
    assert not db_session.get(AccountCoverage, account.id).needs_reassignment


def test_parse_picks_refuses_garbage():
    assert suggestions.parse_picks(["1:2:", "3:4:5"]) == [(1, 2, None), (3, 4, 5)]
    with pytest.raises(ValidationFailed):
        suggestions.parse_picks(["nonsense"])


def test_capacity_pages_csms_in_the_asked_order(db_session, book):
    everyone = capacity_report(db_session, "accounts", descending=True)
    ids = [row["csm_id"] for row in everyone.csms]

    pages = [
        capacity_report(db_session, "accounts", True, page=n, per_page=1)
        for n in range(1, len(ids) + 2)
    ]

    assert [p.csms[0]["csm_id"] for p in pages[:-1]] == ids
    assert {(p.csm_count, p.pages) for p in pages} == {(len(ids), len(ids))}
    assert pages[-1].page == len(ids)  # past the end: the last page
    assert pages[0].chart == everyone.csms  # the chart keeps the top of the order
    assert pages[0].models == everyone.models and pages[0].unassigned == everyone.unassigned
