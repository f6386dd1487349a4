"""A tiering run flags the owned accounts whose coverage model moves, with suggested owners.

The run hands coverage what its book read (the ARR field, region, vertical). What it stores
must be what the suggester gives on the whole book read the plain way once the run is done.
"""

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.services.tiering.run import run_tiering
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.coverage.conftest import (
    give_profile,
    stored_suggestions,
    suggestions_on_whole_book,
)
from tests.integration.tiering.conftest import FEB, JAN, set_arr

# (region, ARR before, ARR after, owner): the CSM's index, or None. With no needs signals
# every account's needs tier is Medium: Strategic -> high-touch, Growth -> pooled,
# Scale -> tech-touch.
BOOK = [
    ("EMEA", 300_000, 100_000, 0),  # high-touch -> pooled: flagged
    ("NA", 60_000, 400_000, 2),  # pooled -> high-touch: flagged
    ("EMEA", 30_000, 280_000, 2),  # tech-touch -> high-touch: flagged
    ("NA", 500_000, 510_000, 0),  # stays high-touch
    ("EMEA", 270_000, 260_000, 1),  # stays high-touch
    ("EMEA", 20_000, 90_000, None),  # moves, but nobody owns it: not flagged
]


def test_a_run_flags_owned_accounts_and_suggests_as_the_whole_book_would(db_session, seeded):
    csms = [UserFactory(role="csm") for _ in range(4)]
    give_profile(csms[0], ["high_touch"])
    give_profile(csms[1], ["high_touch"], regions=["EMEA"])
    give_profile(csms[2], ["pooled", "tech_touch"])
    give_profile(csms[3], ["pooled"], regions=["NA"])
    accounts = [
        AccountFactory(
            company=CompanyFactory(region=region, industry="Software"),
            arr_cents=before * 100,
            csm=None if owner is None else csms[owner],
        )
        for region, before, _, owner in BOOK
    ]
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    for account, (_, _, after, _) in zip(accounts, BOOK, strict=True):
        set_arr(account, after)
    summary = run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)

    assert summary.coverage_changes == 4
    stored = stored_suggestions()
    assert set(stored) == {accounts[0].id, accounts[1].id, accounts[2].id}
    assert stored[accounts[0].id] == csms[2].id  # the pooled CSM covering EMEA
    assert stored[accounts[1].id] == csms[0].id  # the high-touch CSM covering NA
    assert stored == suggestions_on_whole_book(stored)
