"""Derive coverage from tiers: bulk, history, flags with a suggested owner."""

from datetime import UTC, datetime

from sqlalchemy import select

from cstier.models import AccountCoverage, CoverageChange, CoverageMatrixCell, CoverageModel
from cstier.services.coverage.derive import derive_coverage
from cstier.services.coverage.seed import ensure_default_coverage
from tests.factories import AccountFactory, UserFactory
from tests.integration.coverage.conftest import give_profile, set_tiers

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def coverage_of(session, account):
    return session.get(AccountCoverage, account.id)


def test_seed_is_idempotent(db_session):
    assert ensure_default_coverage(db_session) == 3
    assert ensure_default_coverage(db_session) == 0
    models = {m.key: m for m in db_session.scalars(select(CoverageModel))}
    assert (models["high_touch"].accounts_per_csm, models["high_touch"].arr_per_csm_cents) == (
        50,
        5_000_000_00,
    )
    assert models["pooled"].cadence == "Monthly check-in"
    assert models["tech_touch"].cadence == "Digital only"
    assert len(db_session.scalars(select(CoverageMatrixCell)).all()) == 9


def test_derives_model_per_tier_pair_and_records_history(db_session, seeded):
    strategic = AccountFactory()
    scale = AccountFactory()
    untiered = AccountFactory()
    set_tiers(strategic, "Strategic", "High")
    set_tiers(scale, "Scale", "Low")
    summary = derive_coverage(db_session, now=NOW)
    db_session.commit()
    assert (summary.accounts, summary.changed, summary.flagged) == (3, 2, 0)
    assert coverage_of(db_session, strategic).coverage_model_id == seeded["high_touch"].id
    assert coverage_of(db_session, scale).coverage_model_id == seeded["tech_touch"].id
    assert coverage_of(db_session, untiered).coverage_model_id is None
    history = db_session.scalars(select(CoverageChange).order_by(CoverageChange.account_id)).all()
    assert [(h.account_id, h.from_model_id) for h in history] == [
        (strategic.id, None),
        (scale.id, None),
    ]


def test_a_second_derive_without_changes_writes_nothing(db_session, seeded):
    set_tiers(AccountFactory(), "Growth", "Medium")
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    again = derive_coverage(db_session, now=NOW)
    assert again.changed == 0
    assert len(db_session.scalars(select(CoverageChange)).all()) == 1


def test_model_change_flags_owned_accounts_with_a_suggested_owner(
    db_session, seeded, csm, other_csm
):
    give_profile(csm, ["pooled"])
    give_profile(other_csm, ["high_touch"])
    owned = AccountFactory(csm=csm)
    unowned = AccountFactory()
    for account in (owned, unowned):
        set_tiers(account, "Growth", "Low")  # pooled
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    for account in (owned, unowned):
        set_tiers(account, "Strategic", "High")  # high-touch now
    summary = derive_coverage(db_session, run_id=None, now=NOW)
    db_session.commit()
    assert summary.flagged == 1
    flagged = coverage_of(db_session, owned)
    assert flagged.needs_reassignment
    assert flagged.suggested_owner_id == other_csm.id  # csm does not serve high-touch
    assert not coverage_of(db_session, unowned).needs_reassignment
    change = db_session.scalars(
        select(CoverageChange)
        .where(CoverageChange.account_id == owned.id)
        .order_by(CoverageChange.id)
    ).all()[-1]
    assert (change.from_model_id, change.to_model_id) == (
        seeded["pooled"].id,
        seeded["high_touch"].id,
    )


def test_matrix_edit_changes_derived_model(db_session, seeded):
    account = AccountFactory()
    set_tiers(account, "Scale", "High")
    derive_coverage(db_session, now=NOW)
    cell = db_session.scalar(
        select(CoverageMatrixCell).filter_by(value_tier="Scale", needs_tier="High")
    )
    cell.coverage_model_id = seeded["tech_touch"].id
    db_session.commit()
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    assert coverage_of(db_session, account).coverage_model_id == seeded["tech_touch"].id


def test_a_flagged_account_goes_to_the_high_touch_csm_with_the_lighter_book(
    db_session, seeded, csm, other_csm
):
    # Both serve high-touch and csm, the lower id, would win a tie; but csm already carries
    # three high-touch accounts. The moving account's own CSM serves only pooled.
    give_profile(csm, ["high_touch"])
    give_profile(other_csm, ["high_touch"])
    pooled_csm = UserFactory(role="csm")
    give_profile(pooled_csm, ["pooled"])
    carried = [AccountFactory(csm=csm) for _ in range(3)]
    moving = AccountFactory(csm=pooled_csm)
    for account in carried:
        set_tiers(account, "Strategic", "High")
    set_tiers(moving, "Growth", "Low")  # pooled
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    set_tiers(moving, "Strategic", "High")
    summary = derive_coverage(db_session, now=NOW)
    db_session.commit()
    assert summary.flagged == 1
    assert coverage_of(db_session, moving).suggested_owner_id == other_csm.id
    assert all(not coverage_of(db_session, a).needs_reassignment for a in carried)


def test_only_newly_flagged_accounts_get_a_new_suggestion(db_session, seeded, csm, other_csm):
    give_profile(other_csm, ["high_touch"])
    earlier, later = AccountFactory(csm=csm), AccountFactory(csm=csm)
    for account in (earlier, later):
        set_tiers(account, "Growth", "Low")
    derive_coverage(db_session, now=NOW)
    set_tiers(earlier, "Strategic", "High")
    derive_coverage(db_session, now=NOW)
    db_session.commit()
    # A manager sets the earlier account's suggestion by hand; it stays flagged.
    coverage_of(db_session, earlier).suggested_owner_id = csm.id
    db_session.commit()
    set_tiers(later, "Strategic", "High")
    summary = derive_coverage(db_session, now=NOW)
    db_session.commit()
    assert summary.flagged == 1
    assert coverage_of(db_session, later).suggested_owner_id == other_csm.id
    assert coverage_of(db_session, earlier).suggested_owner_id == csm.id
    assert coverage_of(db_session, earlier).needs_reassignment


def test_an_account_in_a_pool_is_owned_and_flagged_when_its_model_changes(db_session, seeded):
    from cstier.models import Pool

    pooled = AccountFactory()
    set_tiers(pooled, "Growth", "Low")  # pooled
    derive_coverage(db_session, now=NOW)
    pool = Pool(name="EMEA pool", coverage_model_id=seeded["pooled"].id, member_ids=[])
    db_session.add(pool)
    db_session.flush()
    coverage_of(db_session, pooled).pool_id = pool.id
    db_session.commit()
    set_tiers(pooled, "Strategic", "High")
    summary = derive_coverage(db_session, now=NOW)
    db_session.commit()
    assert summary.flagged == 1
    assert coverage_of(db_session, pooled).needs_reassignment
