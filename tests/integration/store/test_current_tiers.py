"""Current tiers read back per scheme: every account, names verbatim, ids matched to tiers."""

from cstier.models import TierScheme
from cstier.store.tier_blocks import read_current_tiers, store_tiers
from tests.factories import AccountFactory

NAMES = ['Tier, "A"', " spaced ", "", "#hash", "NaN", "ü—東"]


def _scheme(db_session, key: str) -> TierScheme:
    scheme = TierScheme(key=key, name=key, dimension="segment", active=True, current_version=1)
    db_session.add(scheme)
    db_session.flush()
    return scheme


def _store(db_session, scheme: TierScheme, tiers: dict[int, str]) -> None:
    store_tiers(db_session, scheme.id, list(tiers), list(tiers.values()))
    db_session.commit()


def test_each_scheme_gets_its_accounts_with_their_own_tier_names(db_session):
    accounts = [AccountFactory() for _ in NAMES]
    odd, plain, empty = (
        _scheme(db_session, "odd"),
        _scheme(db_session, "plain"),
        _scheme(db_session, "none"),
    )
    _store(db_session, odd, {a.id: name for a, name in zip(accounts, NAMES, strict=True)})
    # Reversed, so a mix-up between the schemes' lists would show.
    _store(db_session, plain, {a.id: f"T{i}" for i, a in enumerate(reversed(accounts))})
    current = read_current_tiers(db_session, [odd.id, plain.id, empty.id])
    by_account = current[odd.id].set_index("account_id")["tier"]
    assert {a.id: by_account[a.id] for a in accounts} == {
        a.id: name for a, name in zip(accounts, NAMES, strict=True)
    }
    plain_tiers = current[plain.id].set_index("account_id")["tier"]
    assert plain_tiers[accounts[0].id] == f"T{len(NAMES) - 1}"
    assert current[empty.id].empty
    assert list(current[empty.id].columns) == ["account_id", "tier"]
