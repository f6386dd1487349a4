"""The review's net moves grouped in SQL equal the review built from the week's single changes."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.domain.reports import build_tier_review
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
