"""A churned account leaves coverage, capacity and suggestions, keeps its tiers, and comes back."""

from datetime import timedelta

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models.base import utcnow
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.capacity import capacity_report
from cstier.services.metrics import refresh_metrics
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.metrics.conftest import subscribe
from tests.integration.tiering.conftest import tier_of


def test_churned_accounts_leave_the_book_keep_their_tier_and_come_back(db_session, csm):
    ensure_default_schemes(db.session)
    today = utcnow().date()
    company = CompanyFactory()
    lapsed = AccountFactory(company=company, name="Lapsed", csm=csm, arr_cents=0)
    running = AccountFactory(company=company, name="Running", csm=csm, arr_cents=0)
    unowned = AccountFactory(company=company, name="Unowned", arr_cents=0)
    subscribe(lapsed, "2024-01-01", (today - timedelta(days=3)).isoformat(), 30_000_00)
    subscribe(running, "2024-01-01", None, 1_000_00)
    subscribe(unowned, "2024-01-01", (today - timedelta(days=3)).isoformat(), 1_000_00)
    db.session.commit()
    refresh_metrics(db.session)

    book = coverage_reads.book_frame(db.session)
    assert set(book["account_id"]) == {running.id}
    loads = {c["csm_id"]: c["accounts"] for c in capacity_report(db.session).csms}
    assert loads[csm.id] == 1
    assert unowned.id not in set(coverage_reads.open_accounts_frame(db.session)["account_id"])

    subscribe(lapsed, (today - timedelta(days=1)).isoformat(), None, 10_00, "Back")
    db.session.commit()
    refresh_metrics(db.session)
    assert lapsed.id in set(coverage_reads.book_frame(db.session)["account_id"])


def test_a_churned_accounts_tier_is_kept_while_its_arr_falls(db_session, csm):
    ensure_default_schemes(db.session)
    today = utcnow().date()
    company = CompanyFactory()
    account = AccountFactory(company=company, name="Big", csm=csm, arr_cents=0)
    subscribe(account, "2024-01-01", (today + timedelta(days=1)).isoformat(), 30_000_00)
    db.session.commit()
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli")
    assert tier_of(account.id).tier == "Strategic"  # 360,000 a year, running today

    # Its subscription now ended yesterday: current ARR 0, which alone would make it Scale.
    db.session.execute(
        db.text("UPDATE subscription SET end_date = :day").bindparams(day=today - timedelta(days=1))
    )
    db.session.commit()
    refresh_metrics(db.session)
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli")
    assert tier_of(account.id).tier == "Strategic"
