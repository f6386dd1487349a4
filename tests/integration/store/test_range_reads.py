"""Reading a book range by range: every account once, in order, from the session or read ahead."""

import pytest
from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Account
from cstier.store.range_reads import account_ranges, read_ahead
from tests.factories import AccountFactory


def names_in(session, accounts) -> list[str]:
    stmt = select(Account.name).where(Account.id.between(*accounts)).order_by(Account.id)
    return list(session.scalars(stmt))


@pytest.mark.parametrize("per_range", [1, 2, 5, 100])
@pytest.mark.parametrize("elsewhere", [False, True])
def test_ranges_cover_every_account_once_in_order(db_session, per_range, elsewhere):
    accounts = [AccountFactory(name=f"Account {i}") for i in range(5)]
    ranges = account_ranges(db.session, Account.id, per_range)
    assert ranges[0][0] == accounts[0].id and ranges[-1][1] == accounts[-1].id
    assert len(ranges) == -(-len(accounts) // per_range)
    read = list(read_ahead(db.session, ranges, names_in, elsewhere))
    assert [name for part in read for name in part] == [a.name for a in accounts]


def test_an_empty_book_has_no_ranges(db_session):
    assert account_ranges(db.session, Account.id, 10) == []
    assert list(read_ahead(db.session, [], names_in, True)) == []


def test_a_range_of_no_accounts_is_refused(db_session):
    with pytest.raises(ValueError, match="at least 1"):
        account_ranges(db.session, Account.id, 0)


def test_read_ahead_sees_only_commits_and_the_session_sees_its_own_changes(db_session):
    """Read ahead on a second connection sees the committed book; in the session, its changes."""
    AccountFactory(name="Committed")
    AccountFactory(name="Also committed")
    db.session.add(AccountFactory.build(name="Pending"))
    db.session.flush()
    ranges = account_ranges(db.session, Account.id, 1)
    ahead = [n for part in read_ahead(db.session, ranges, names_in, True) for n in part]
    inline = [n for part in read_ahead(db.session, ranges, names_in, False) for n in part]
    assert ahead == ["Committed", "Also committed"]
    assert inline == ["Committed", "Also committed", "Pending"]
