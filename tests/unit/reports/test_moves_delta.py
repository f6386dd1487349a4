"""A stored week of net moves brought up to date equals the week grouped afresh, or says it cannot."""

import json
import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from cstier.domain.reports import SchemeTiers, review_from_moves, week_moves
from cstier.domain.reports.moves_delta import moves_from_stored, moves_to_stored, moves_with_changes

SCHEMES = [
    SchemeTiers(1, "Value tiers", "value", ("Strategic", "Growth", "Scale")),
    SchemeTiers(2, "Region", "segment", ("NA", "EMEA", "APAC")),
]
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
TOP_N, DEPTH = 5, 12


def random_week(
    rng: random.Random, accounts: int, stored_changes: int, later: int = 60
) -> pd.DataFrame:
    """Return a week's chained changes; ids after stored_changes are written after the store."""
    held: dict[tuple, str | None] = {}
    rows = []
    for change_id in range(1, stored_changes + later + 1):
        account_id = rng.randrange(1, accounts + 1)
        scheme = rng.choice(SCHEMES)
        from_tier = held.get((scheme.scheme_id, account_id))
        to_tier = rng.choice([t for t in scheme.tiers if t != from_tier])
        held[(scheme.scheme_id, account_id)] = to_tier
        rows.append(
            {
                "change_id": change_id,
                "account_id": account_id,
                "scheme_id": scheme.scheme_id,
                "from_tier": from_tier,
                "to_tier": to_tier,
                # Later ids mostly later, some dated back: the order is (at, id).
                "at": MONDAY + timedelta(minutes=change_id * rng.choice([1, 1, 1, -1])),
                "arr_cents": account_id * 7919 % 50 * 1_000_00,
                "account_name": f"Account {account_id}",
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(30))
def test_the_stored_week_with_the_changed_accounts_equals_the_week_grouped_afresh(seed):
    rng = random.Random(seed)
    changes = random_week(rng, rng.choice([20, 60]), 200, rng.choice([3, 10, 60]))
    last_change_id = 200
    stored = week_moves(changes[changes["change_id"] <= last_change_id], DEPTH)
    stored = moves_from_stored(json.loads(json.dumps(moves_to_stored(stored))))
    updated = moves_with_changes(stored, changes, last_change_id, TOP_N, DEPTH)
    expected = review_from_moves(week_moves(changes, TOP_N), SCHEMES, TOP_N)
    if updated is None:
        # Only when a full stored list lost so many movers that the top is unknown.
        assert len(stored.movers) >= DEPTH
        return
    assert review_from_moves(updated, SCHEMES, TOP_N) == expected


def test_too_many_changed_movers_leave_the_top_unknown():
    changes = random_week(random.Random(7), 60, 200)
    stored = week_moves(changes[changes["change_id"] <= 200], DEPTH)
    # Every stored mover changes after the store: the unstored ones may now be on top.
    later = stored.movers.assign(
        change_id=range(1_000, 1_000 + len(stored.movers)),
        at=MONDAY + timedelta(days=2),
        from_tier=stored.movers["to_tier"],
        to_tier=stored.movers["from_tier"],
    )
    assert moves_with_changes(stored, pd.concat([changes, later]), 200, TOP_N, DEPTH) is None


def test_nothing_changed_since_leaves_the_stored_week():
    changes = random_week(random.Random(3), 20, 200)
    stored = week_moves(changes[changes["change_id"] <= 200], DEPTH)
    before = changes[changes["change_id"] <= 200]
    same = moves_with_changes(stored, before, 200, TOP_N, DEPTH)
    assert review_from_moves(same, SCHEMES, TOP_N) == review_from_moves(stored, SCHEMES, TOP_N)
