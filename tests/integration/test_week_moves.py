"""The review's net moves grouped in SQL equal the review built from the week's single changes."""

import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.domain.reports import WeekMoves, build_tier_review, review_from_moves
from cstier.domain.reports.tier_review import TOP_MOVERS
from cstier.extensions import db
from cstier.models import TierScheme
from cstier.services.reports import movement_between, scheme_tiers, week_changes
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory, TierChangeFactory

STARTS_AT = datetime(2026, 1, 5, tzinfo=UTC)
ENDS_AT = STARTS_AT + timedelta(days=7)
# Runs before, in and after the week; two changes of one run share their instant.
RUNS = [STARTS_AT + timedelta(hours=hours) for hours in (-30, 0, 9, 9, 33, 80, 167, 168)]
ARR_CENTS = [0, 5_000_00, 5_000_00, 48_000_00, 120_000_00, 120_000_00, 900_000_00]


def random_week(rng: random.Random, csms: list, retired_moves: bool) -> None:
    """Write a random history: first tierings then moves, returns, tiers a scheme no longer has."""
    ensure_default_schemes(db.session)
    schemes = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).all()
    retired = schemes[-1]
    retired.active = False
    tiers = {s.id: [*scheme_tiers(db.session)[s.id].tiers, "Legacy"] for s in schemes}
    company = CompanyFactory()
    rows = []
    for number in range(60):
        account = AccountFactory(
            name=f"Account {number}",
            company=company,
            csm=rng.choice([*csms, None]),
            arr_cents=rng.choice(ARR_CENTS),
        )
        for tier_scheme in schemes:
            if tier_scheme is retired and not retired_moves:
                continue
            tier = None if rng.random() < 0.5 else rng.choice(tiers[tier_scheme.id])
            for at in sorted(rng.sample(RUNS, rng.randint(0, 4))):
                to_tier = rng.choice(tiers[tier_scheme.id])
                rows.append(
                    TierChangeFactory.build(
                        account_id=account.id,
                        scheme=tier_scheme,
                        from_tier=tier,
                        to_tier=to_tier,
                        at=at,
                    )
                )
                tier = to_tier
    # Inserted out of time order, so ids do not follow the instants they record.
    rng.shuffle(rows)
    db.session.add_all(rows)
    db.session.commit()


def reference_review(actor: Actor):
    """Return the review built in pandas from every single change of the week."""
    schemes = scheme_tiers(db.session)
    changes = week_changes(db.session, actor, STARTS_AT, ENDS_AT)
    active = set(db.session.scalars(select(TierScheme.id).where(TierScheme.active.is_(True))))
    shown = active | set(changes["scheme_id"].astype(int))
    return build_tier_review(changes, [s for s in schemes.values() if s.scheme_id in shown])


@pytest.mark.parametrize("seed", range(6))
def test_net_moves_grouped_in_sql_equal_the_per_change_review(db_session, csm, other_csm, seed):
    random_week(random.Random(seed), [csm, other_csm], retired_moves=seed % 2 == 0)
    for actor in (SYSTEM_ACTOR, Actor(csm.id, "csm")):
        got = movement_between(db.session, actor, STARTS_AT, ENDS_AT, scheme_tiers(db.session))
        assert got == reference_review(actor)
    # The random week exercises every kind of net move and cuts the movers' lists.
    whole = reference_review(SYSTEM_ACTOR)
    assert min(whole.up, whole.down, whole.new, whole.moved) > 0
    assert sum(s.returned for s in whole.schemes) > 0
    assert len(whole.schemes) == 5 - (seed % 2)
    assert len(whole.top_movers) == 10 and whole.top_movers[0]["account_name"]
    assert any(len(s.top_movers) == 10 for s in whole.schemes)


def chained_history(rng: random.Random, csms: list) -> None:
    """Write histories as runs write them: a first tiering, then moves from the tier held.

    One change per key and instant; first tierings before and in the week, moves that come
    back (A → B → A), several schemes, accounts of two CSMs and none.
    """
    ensure_default_schemes(db.session)
    schemes = db.session.scalars(select(TierScheme).order_by(TierScheme.id)).all()
    tiers = {s.id: list(scheme_tiers(db.session)[s.id].tiers) for s in schemes}
    company = CompanyFactory()
    instants = sorted(set(RUNS))
    rows = []
    for number in range(60):
        account = AccountFactory(
            name=f"Account {number}",
            company=company,
            csm=rng.choice([*csms, None]),
            arr_cents=rng.choice(ARR_CENTS),
        )
        for tier_scheme in schemes:
            held = None
            for at in sorted(rng.sample(instants, rng.randint(0, 5))):
                to_tier = rng.choice([t for t in tiers[tier_scheme.id] if t != held])
                rows.append(
                    TierChangeFactory.build(
                        account_id=account.id,
                        scheme=tier_scheme,
                        from_tier=held,
                        to_tier=to_tier,
                        at=at,
                    )
                )
                held = to_tier
    rng.shuffle(rows)
    db.session.add_all(rows)
    db.session.commit()


def window_net_moves(actor: Actor) -> WeekMoves:
    """Return the week grouped by the former rule, in plain Python over every single change.

    A key's net move ran from its first change's from tier (the first tiering's to tier when
    it was first tiered and moved) to its last change's to tier.
    """
    changes = week_changes(db.session, actor, STARTS_AT, ENDS_AT)
    keys: dict[tuple, list] = {}
    for change in changes.sort_values(["at", "change_id"]).itertuples():
        keys.setdefault((change.scheme_id, change.account_id), []).append(change)
    pairs: dict[tuple, list[int]] = {}
    moved = []
    for (scheme_id, account_id), rows in keys.items():
        first, last = rows[0], rows[-1]
        first_from = None if pd.isna(first.from_tier) else first.from_tier
        from_tier = first.to_tier if first_from is None and len(rows) > 1 else first_from
        arr = int(last.arr_cents or 0)
        moves = sum(pd.notna(row.from_tier) for row in rows)
        totals = pairs.setdefault((scheme_id, from_tier, last.to_tier), [0, 0, 0, 0])
        for position, value in enumerate((1, arr, len(rows), moves)):
            totals[position] += value
        if from_tier is not None and from_tier != last.to_tier:
            moved.append((scheme_id, account_id, last.account_name, from_tier, last.to_tier, arr))
    moved.sort(key=lambda m: (-m[5], m[1]))
    movers = [m for m in moved if sum(o[0] == m[0] for o in moved[: moved.index(m)]) < TOP_MOVERS]
    return WeekMoves.from_rows(
        [(*pair, *totals) for pair, totals in pairs.items()],
        movers,
        len({m[1] for m in moved}),
    )


@pytest.mark.parametrize("seed", range(4))
def test_net_moves_from_the_moves_equal_the_former_window_on_histories_runs_write(
    db_session, csm, other_csm, seed
):
    chained_history(random.Random(100 + seed), [csm, other_csm])
    schemes = scheme_tiers(db.session)
    for actor in (SYSTEM_ACTOR, Actor(csm.id, "csm")):
        got = movement_between(db.session, actor, STARTS_AT, ENDS_AT, schemes)
        shown = [s for s in schemes.values() if s.scheme_id in {x.scheme_id for x in got.schemes}]
        assert got == review_from_moves(window_net_moves(actor), shown)
    whole = movement_between(db.session, SYSTEM_ACTOR, STARTS_AT, ENDS_AT, schemes)
    assert min(whole.up, whole.down, whole.new) > 0 and whole.changes > whole.accounts
    # Some keys were first tiered and moved again in the week.
    week = week_changes(db.session, SYSTEM_ACTOR, STARTS_AT, ENDS_AT).sort_values("at")
    per_key = week.groupby(["scheme_id", "account_id"])
    assert (
        per_key["from_tier"].agg(lambda tiers: pd.isna(tiers.iloc[0])) & (per_key.size() > 1)
    ).any()
    assert sum(s.returned for s in whole.schemes) > 0


def write(account, scheme_id: int, *changes: tuple) -> None:
    for from_tier, to_tier, hours in changes:
        db.session.add(
            TierChangeFactory.build(
                account_id=account.id,
                scheme=db.session.get(TierScheme, scheme_id),
                from_tier=from_tier,
                to_tier=to_tier,
                at=STARTS_AT + timedelta(hours=hours),
            )
        )
    db.session.commit()


def test_a_first_tiering_is_never_a_move_even_after_a_tier_was_cleared(db_session):
    """A tier cleared and given afresh (only history written by hand does it) is no move.

    The review counts the moves Alerts lists: Strategic → Growth, not Strategic → Scale.
    """
    ensure_default_schemes(db.session)
    value = db.session.scalar(select(TierScheme.id).where(TierScheme.dimension == "value"))
    mover, tiered_twice = AccountFactory(arr_cents=100_00), AccountFactory(arr_cents=200_00)
    write(mover, value, ("Strategic", "Growth", 1), (None, "Scale", 5))
    write(tiered_twice, value, (None, "Growth", 1), (None, "Scale", 5))
    review = movement_between(
        db.session, SYSTEM_ACTOR, STARTS_AT, ENDS_AT, scheme_tiers(db.session)
    )
    scheme = next(s for s in review.schemes if s.scheme_id == value)
    assert [(m["from_tier"], m["to_tier"]) for m in scheme.top_movers] == [("Strategic", "Growth")]
    assert (scheme.down, scheme.new, scheme.changes, review.changes) == (1, 2, 4, 1)
    assert review == build_tier_review(
        week_changes(db.session, SYSTEM_ACTOR, STARTS_AT, ENDS_AT),
        list(scheme_tiers(db.session).values()),
    )
