"""The coverage frames a tiering run reads when it flags owned accounts."""

from cstier.services.coverage import frames
from cstier.services.coverage.derive import derive_coverage
from tests.factories import AccountFactory
from tests.integration.coverage.conftest import set_tiers


def test_owned_book_holds_only_the_accounts_a_csm_owns(db_session, seeded, csm):
    owned = AccountFactory(csm=csm, arr_cents=300_000_00)
    AccountFactory()
    set_tiers(owned, "Strategic", "High")
    derive_coverage(db_session)
    book = frames.owned_book_frame(db_session)
    assert book.to_dict("records") == [
        {
            "account_id": owned.id,
            "csm_id": csm.id,
            "coverage_model_id": seeded["high_touch"].id,
            "arr_cents": 300_000_00,
        }
    ]


def test_model_mean_arr_is_over_every_account_of_the_model(db_session, seeded, csm):
    cheap, dear, other = (
        AccountFactory(arr_cents=10_000_00),
        AccountFactory(csm=csm, arr_cents=30_000_00),
        AccountFactory(arr_cents=400_000_00),
    )
    for account in (cheap, dear):
        set_tiers(account, "Scale", "Low")  # tech-touch
    set_tiers(other, "Strategic", "High")
    AccountFactory(arr_cents=999_999_00)  # untiered: no model, not in any mean
    derive_coverage(db_session)
    means = frames.model_mean_arr(db_session)
    assert means.to_dict() == {
        seeded["tech_touch"].id: 20_000_00,
        seeded["high_touch"].id: 400_000_00,
    }


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
