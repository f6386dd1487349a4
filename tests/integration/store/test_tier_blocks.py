"""Tier blocks: tiers and pending moves stored per 65,536 account ids and read back intact."""

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import TierBlock, TierScheme
from cstier.store.tier_blocks import (
    BLOCK_SIZE,
    account_tiers,
    read_current_tiers,
    store_pending,
    store_tier_changes,
    store_tiers,
)
from tests.integration.store.account_rows import ensure_accounts

# Both sides of the first two block boundaries, and one further block (3) alone.
EDGES = [1, 65_535, 65_536, 65_537, 200_000]
TRICKY = ['Tier, "A"', "it's", " spaced ", "", "NaN", "None", "ü—東", "line\nbreak", "a\\b,"]


@pytest.fixture
def scheme(db_session) -> TierScheme:
    return _scheme(db_session, "value_tiers")


@pytest.fixture
def other_scheme(db_session) -> TierScheme:
    return _scheme(db_session, "needs_tiers")


def _scheme(db_session, key: str) -> TierScheme:
    scheme = TierScheme(key=key, name=key, dimension="segment", active=True, current_version=1)
    db_session.add(scheme)
    db_session.commit()
    return scheme


def _store(db_session, scheme: TierScheme, tiers: dict[int, str | None]) -> None:
    ensure_accounts(db_session, tiers)
    store_tiers(db_session, scheme.id, list(tiers), list(tiers.values()))
    db_session.commit()


def _pend(db_session, scheme: TierScheme, pending: dict[int, tuple[str | None, int]]) -> None:
    ensure_accounts(db_session, pending)
    store_pending(
        db_session,
        scheme.id,
        list(pending),
        [tier for tier, _ in pending.values()],
        [count for _, count in pending.values()],
    )
    db_session.commit()


def committed(scheme: TierScheme) -> dict[int, str]:
    """Return the scheme's committed tiers by account, read on a fresh session."""
    with Session(db.engine) as fresh:
        frame = read_current_tiers(fresh, [scheme.id])[scheme.id]
    return dict(zip(frame["account_id"].tolist(), frame["tier"].tolist(), strict=True))


def committed_pending(scheme: TierScheme) -> dict[int, tuple[str, str | None, int]]:
    with Session(db.engine) as fresh:
        frame = read_current_tiers(fresh, [scheme.id], with_pending=True)[scheme.id]
    assert list(frame.columns) == ["account_id", "tier", "pending_tier", "pending_count"]
    # No pending move reads as missing (None or NaN, as pandas infers the column).
    return {
        row.account_id: (
            row.tier,
            None if pd.isna(row.pending_tier) else row.pending_tier,
            row.pending_count,
        )
        for row in frame.itertuples(index=False)
    }


def held_by(account_id: int) -> dict[int, tuple[str, str | None, int]]:
    with Session(db.engine) as fresh:
        return account_tiers(fresh, account_id)


def blocks(scheme: TierScheme) -> dict[int, TierBlock]:
    """Return the scheme's stored rows by block number, as committed."""
    with Session(db.engine, expire_on_commit=False) as fresh:
        rows = fresh.scalars(select(TierBlock).where(TierBlock.scheme_id == scheme.id)).all()
        fresh.expunge_all()
    return {row.block: row for row in rows}


def holders(scheme: TierScheme, tier: str) -> list[int]:
    """Return the accounts current_tier lists in a scheme's tier, ascending."""
    with Session(db.engine) as fresh:
        return list(
            fresh.scalars(
                text(
                    "SELECT account_id FROM current_tier WHERE scheme_id = :s AND tier = :t "
                    "ORDER BY account_id"
                ),
                {"s": scheme.id, "t": tier},
            )
        )


def test_tiers_round_trip_across_block_boundaries(db_session, scheme, other_scheme):
    tiers = dict(zip(EDGES, ["Gold", "Silver", "Gold", "Bronze", "Silver"], strict=True))
    _store(db_session, scheme, tiers)
    # The same ids in another scheme, with other tiers: the schemes must not mix.
    _store(db_session, other_scheme, {a: f"N{a}" for a in reversed(EDGES)})

    assert committed(scheme) == tiers
    assert committed(other_scheme) == {a: f"N{a}" for a in EDGES}
    assert sorted(blocks(scheme)) == [0, 1, 3]
    for account_id, tier in tiers.items():
        assert held_by(account_id) == {
            scheme.id: (tier, None, 0),
            other_scheme.id: (f"N{account_id}", None, 0),
        }
    # Neighbours of the stored ids, in stored and unstored blocks, hold nothing.
    for account_id in (0, 2, 65_534, 65_538, 131_072, 199_999, 200_001, 300_000):
        assert held_by(account_id) == {}


def test_codes_are_little_endian_uint16_without_trailing_zeros(db_session, scheme):
    _store(db_session, scheme, {BLOCK_SIZE + 1: "Gold", BLOCK_SIZE + 3: "Silver"})
    stored = blocks(scheme)[1]
    assert stored.tier_names == ["Gold", "Silver"]
    assert bytes(stored.tiers) == b"\x00\x00\x01\x00\x00\x00\x02\x00"
    assert stored.pending is None
    assert stored.pending_counts is None


def test_none_clears_a_tier_and_leaves_the_others(db_session, scheme):
    _store(db_session, scheme, dict.fromkeys(EDGES, "Gold"))
    _store(db_session, scheme, {65_536: None, 200_000: None, 7: None})  # 7 never had one
    assert committed(scheme) == {1: "Gold", 65_535: "Gold", 65_537: "Gold"}
    assert held_by(65_536) == {}
    assert held_by(200_000) == {}
    assert held_by(7) == {}
    assert holders(scheme, "Gold") == [1, 65_535, 65_537]
    # Clearing every tier of a block removes the block; clearing into no block adds none.
    _store(db_session, scheme, {1: None, 65_535: None})
    assert committed(scheme) == {65_537: "Gold"}
    assert 0 not in blocks(scheme)
    _store(db_session, scheme, {300_000: None})
    assert 4 not in blocks(scheme)


def test_clearing_a_tier_clears_its_pending_move(db_session, scheme):
    _store(db_session, scheme, {1: "Silver", 2: "Silver"})
    store_pending(db_session, scheme.id, [1, 2], ["Gold", "Gold"], [2, 2])
    db_session.commit()
    _store(db_session, scheme, {1: None})
    _store(db_session, scheme, {1: "Bronze"})
    assert held_by(1)[scheme.id] == ("Bronze", None, 0)
    assert held_by(2)[scheme.id] == ("Silver", "Gold", 2)


def test_changing_one_tier_keeps_the_rest_of_its_block(db_session, scheme, other_scheme):
    base = {1: "Gold", 2: "Gold", 3: "Silver", 65_535: "Gold", 65_536: "Silver"}
    _store(db_session, scheme, base)
    _store(db_session, other_scheme, {2: "Other"})
    _store(db_session, scheme, {2: "Silver"})
    assert committed(scheme) == base | {2: "Silver"}
    assert committed(other_scheme) == {2: "Other"}
    # A new name in one call with an existing one: both decode to what was asked.
    _store(db_session, scheme, {3: "Bronze", 65_535: "Silver"})
    assert committed(scheme) == base | {2: "Silver", 3: "Bronze", 65_535: "Silver"}


def test_tier_names_keep_only_the_names_still_in_use(db_session, scheme):
    _store(db_session, scheme, {1: "Gold", 2: "Silver", 3: "Bronze", 65_536: "Bronze"})
    assert blocks(scheme)[0].tier_names == ["Bronze", "Gold", "Silver"]

    _store(db_session, scheme, {2: "Gold"})  # nobody in block 0 holds Silver any more
    stored = blocks(scheme)
    assert stored[0].tier_names == ["Bronze", "Gold"]
    assert stored[1].tier_names == ["Bronze"]  # an untouched block keeps its own list
    # The codes were renumbered with the list: every account still reads its tier.
    assert np.frombuffer(stored[0].tiers, "<u2").tolist() == [0, 2, 2, 1]
    assert committed(scheme) == {1: "Gold", 2: "Gold", 3: "Bronze", 65_536: "Bronze"}

    # A name held only as a pending move is in use too, until the move is cleared.
    _pend(db_session, scheme, {3: ("Platinum", 1)})
    assert blocks(scheme)[0].tier_names == ["Bronze", "Gold", "Platinum"]
    _pend(db_session, scheme, {3: (None, 0)})
    assert blocks(scheme)[0].tier_names == ["Bronze", "Gold"]
    _store(db_session, scheme, {3: None})
    assert blocks(scheme)[0].tier_names == ["Gold"]
    assert committed(scheme) == {1: "Gold", 2: "Gold", 65_536: "Bronze"}


def test_pending_moves_round_trip_and_clearing_them_nulls_the_arrays(db_session, scheme):
    _store(db_session, scheme, dict.fromkeys(EDGES, "Silver"))
    _pend(db_session, scheme, {65_535: ("Gold", 2), 65_536: ("Bronze", 1), 200_000: ("Gold", 3)})

    expected = {a: ("Silver", None, 0) for a in EDGES} | {
        65_535: ("Silver", "Gold", 2),
        65_536: ("Silver", "Bronze", 1),
        200_000: ("Silver", "Gold", 3),
    }
    assert committed_pending(scheme) == expected
    for account_id, held in expected.items():
        assert held_by(account_id) == {scheme.id: held}
    # Without asking for them, the pending columns are left out.
    with Session(db.engine) as fresh:
        assert list(read_current_tiers(fresh, [scheme.id])[scheme.id].columns) == [
            "account_id",
            "tier",
        ]
    # A pending move leaves the current tier as it is.
    assert committed(scheme) == dict.fromkeys(EDGES, "Silver")

    _pend(db_session, scheme, {65_535: (None, 0)})  # block 0's only pending move
    stored = blocks(scheme)
    assert (stored[0].pending, stored[0].pending_counts) == (None, None)
    assert stored[1].pending is not None
    assert stored[1].pending_counts is not None
    assert committed_pending(scheme) == expected | {65_535: ("Silver", None, 0)}

    _pend(db_session, scheme, {65_536: (None, 0), 200_000: (None, 0)})
    assert all((row.pending, row.pending_counts) == (None, None) for row in blocks(scheme).values())
    assert committed_pending(scheme) == {a: ("Silver", None, 0) for a in EDGES}
    with Session(db.engine) as fresh:
        nulls = fresh.scalar(
            select(func.count()).where(
                TierBlock.scheme_id == scheme.id,
                TierBlock.pending.is_(None),
                TierBlock.pending_counts.is_(None),
            )
        )
    assert nulls == 3


def test_a_pending_count_survives_a_tier_change_of_its_neighbour(db_session, scheme):
    _store(db_session, scheme, {1: "Silver", 2: "Silver"})
    _pend(db_session, scheme, {1: ("Gold", 2)})
    _store(db_session, scheme, {2: "Bronze"})
    assert committed_pending(scheme) == {1: ("Silver", "Gold", 2), 2: ("Bronze", None, 0)}


def test_current_tier_rows_follow_the_blocks_per_tier(db_session, scheme, other_scheme):
    ids = [200_000, 3, 65_537, 1, 131_071, 65_536, 65_535, 2]
    tiers = ["Gold" if i % 2 else "Silver" for i in range(len(ids))]
    _store(db_session, scheme, dict(zip(ids, tiers, strict=True)))
    _store(db_session, other_scheme, {5: "Gold"})
    gold = sorted(a for a, t in zip(ids, tiers, strict=True) if t == "Gold")
    silver = sorted(a for a, t in zip(ids, tiers, strict=True) if t == "Silver")
    assert holders(scheme, "Gold") == gold
    assert holders(scheme, "Silver") == silver
    assert holders(scheme, "Bronze") == []
    assert holders(other_scheme, "Gold") == [5]
    assert holders(_scheme(db_session, "empty"), "Gold") == []


def test_several_schemes_change_together_adding_changing_and_clearing_rows(
    db_session, scheme, other_scheme
):
    _store(db_session, scheme, {1: "Gold", 2: "Silver", 65_537: "Gold"})
    _store(db_session, other_scheme, {1: "N1", 65_537: "N2"})
    ensure_accounts(db_session, {3: None, 200_000: None})

    store_tier_changes(
        db_session,
        [
            (scheme.id, [65_537, 1, 3, 2], ["Silver", "Gold", "Bronze", None]),
            (other_scheme.id, [200_000, 1, 65_537], ["N3", None, "N1"]),
        ],
    )
    db_session.commit()

    assert committed(scheme) == {1: "Gold", 3: "Bronze", 65_537: "Silver"}
    assert committed(other_scheme) == {65_537: "N1", 200_000: "N3"}
    assert holders(scheme, "Silver") == [65_537] and holders(scheme, "Bronze") == [3]
    assert holders(scheme, "Gold") == [1]
    assert holders(other_scheme, "N1") == [65_537] and holders(other_scheme, "N3") == [200_000]
    assert holders(other_scheme, "N2") == []


def test_tricky_tier_names_survive(db_session, scheme):
    # Spread over three blocks, so each block numbers the names its own way.
    tiers = {
        **{1 + i: name for i, name in enumerate(TRICKY)},
        **{BLOCK_SIZE + 10 + i: name for i, name in enumerate(reversed(TRICKY))},
        3 * BLOCK_SIZE: TRICKY[3],
    }
    _store(db_session, scheme, tiers)
    _pend(db_session, scheme, {1: (TRICKY[-1], 2), BLOCK_SIZE + 10: ("", 1)})

    assert committed(scheme) == tiers
    for name in TRICKY:
        assert holders(scheme, name) == sorted(a for a, t in tiers.items() if t == name)
    assert held_by(1) == {scheme.id: (TRICKY[0], TRICKY[-1], 2)}
    assert held_by(BLOCK_SIZE + 10) == {scheme.id: (TRICKY[-1], "", 1)}
    assert held_by(3 * BLOCK_SIZE) == {scheme.id: ("", None, 0)}
    pending = committed_pending(scheme)
    assert pending[1] == (TRICKY[0], TRICKY[-1], 2)
    assert pending[BLOCK_SIZE + 10] == (TRICKY[-1], "", 1)
    assert all(pending[a][1:] == (None, 0) for a in tiers if a not in (1, BLOCK_SIZE + 10))
