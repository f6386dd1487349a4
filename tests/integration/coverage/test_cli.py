"""`cstier coverage seed | derive | suggest [--apply]`."""

from sqlalchemy import func, select

from cstier.models import Account, CoverageModel
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory
from tests.integration.coverage.conftest import give_profile, set_tiers


def test_seed_derive_suggest_apply(runner, db_session, csm):
    result = runner.invoke(args=["coverage", "seed"])
    assert "Seeded 3 coverage models" in result.output
    assert "already exist" in runner.invoke(args=["coverage", "seed"]).output
    assert db_session.scalar(select(func.count(CoverageModel.id))) == 3
    ensure_default_schemes(db_session)
    db_session.commit()
    give_profile(csm, ["high_touch"])
    accounts = [AccountFactory() for _ in range(3)]
    for account in accounts:
        set_tiers(account, "Strategic", "High")
    result = runner.invoke(args=["coverage", "derive"])
    assert "3 accounts: 3 coverage changes" in result.output, result.output
    result = runner.invoke(args=["coverage", "suggest"])
    assert "3 open accounts: 3 with a proposed owner" in result.output
    result = runner.invoke(args=["coverage", "suggest", "--apply"])
    assert "Applied 3 proposals" in result.output, result.output
    db_session.expire_all()
    assert {db_session.get(Account, a.id).csm_id for a in accounts} == {csm.id}
