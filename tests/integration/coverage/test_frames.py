"""The flagged accounts a derivation reads to suggest their new owners."""

from cstier.services.coverage import frames
from cstier.services.coverage.derive import derive_coverage
from tests.factories import AccountFactory
from tests.integration.coverage.conftest import set_tiers


def test_flagged_only_leaves_out_the_unowned_accounts(db_session, seeded, csm):
    owned, unowned = AccountFactory(csm=csm), AccountFactory()
    for account in (owned, unowned):
        set_tiers(account, "Growth", "Low")
    derive_coverage(db_session)
    for account in (owned, unowned):
        set_tiers(account, "Strategic", "High")
    derive_coverage(db_session)
    everyone = frames.open_accounts_frame(db_session)
    flagged = frames.open_accounts_frame(db_session, flagged_only=True)
    assert set(everyone["account_id"]) == {owned.id, unowned.id}
    assert flagged["account_id"].tolist() == [owned.id]


def test_model_mean_arr_is_over_every_account_of_the_model(db_session, seeded, csm):
    cheap, dear, other = (
        AccountFactory(arr_cents=10_000_00),
        AccountFactory(csm=csm, arr_cents=30_000_00),
        AccountFactory(arr_cents=400_000_00),
    )
    for account in (cheap, dear):
        set_tiers(account, "Scale", "Low")  # tech-touch
    set_tiers(other, "Strategic", "High")
    AccountFactory(arr_cents=999_999_00)  # untiered: no model, in no mean
    derive_coverage(db_session)
    assert frames.model_mean_arr(db_session).to_dict() == {
        seeded["tech_touch"].id: 20_000_00,
        seeded["high_touch"].id: 400_000_00,
    }
