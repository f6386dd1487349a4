"""A small book of accounts across the value bands, and helpers to read what runs wrote."""

from contextlib import nullcontext
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import OutboxEvent, TierChange, TieringRun, TierScheme
from cstier.services.tiering.history import CurrentTier, current_for_account
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.tier_blocks import read_current_tiers
from tests.factories import AccountFactory, CompanyFactory

JAN = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(db_session, csm):
    """Three accounts: Strategic, Growth and Scale by ARR; the Growth one is the CSM's."""
    ensure_default_schemes(db_session)  # as setting the workspace up does; runs no longer seed
    small = CompanyFactory(employees=50, region="NA", industry="Retail")
    large = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    return {
        "big": AccountFactory(name="Big", company=large, arr_cents=300_000_00),
        "mid": AccountFactory(name="Mid", company=large, arr_cents=100_000_00, csm=csm),
        "small": AccountFactory(name="Small", company=small, arr_cents=49_000_00),
    }


@pytest.fixture
def admin_actor(admin) -> Actor:
    return Actor(user_id=admin.id, role="admin")


@pytest.fixture
def manager_actor(manager) -> Actor:
    return Actor(user_id=manager.id, role="cs_manager")


def count(model) -> int:
    """Count committed rows on a fresh session (what another reader would see)."""
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(model))


def tier_of(
    account_id: int, key: str = "value_tiers", now: datetime | None = None
) -> CurrentTier | None:
    """Return an account's committed tier in the scheme with this key, with why it holds it."""
    with Session(db.engine, expire_on_commit=False) as fresh:
        tiers = current_for_account(fresh, account_id, now)
        return next((t for t in tiers if t.scheme.key == key), None)


def snapshot(session: Session | None = None) -> tuple[list, list]:
    """Return every current tier and history row, to compare before and after.

    Read on a fresh connection (what is committed) unless a session is given
    (what that session's open transaction sees).
    """
    with nullcontext(session) if session is not None else Session(db.engine) as fresh:
        tiers = stored_tiers(fresh)
        history = fresh.execute(
            select(TierChange.id, TierChange.account_id, TierChange.to_tier,
                   TierChange.explanation, TierChange.run_id).order_by(TierChange.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in tiers], [tuple(r) for r in history]


def stored_tiers(session: Session) -> list[tuple]:
    """Return (account_id, scheme_id, tier, pending_tier, pending_count) of every stored tier."""
    schemes = session.scalars(select(TierScheme.id)).all()
    frames = read_current_tiers(session, schemes, with_pending=True)
    return sorted(
        (int(a), s, str(t), p, int(c))
        for s, frame in frames.items()
        for a, t, p, c in frame.itertuples(index=False)
    )


def tier_count() -> int:
    """Count the committed current tiers, over every scheme."""
    with Session(db.engine) as fresh:
        return len(stored_tiers(fresh))


def changes_of(account_id: int) -> list[TierChange]:
    """Return an account's history, oldest first."""
    with Session(db.engine, expire_on_commit=False) as fresh:
        stmt = select(TierChange).where(TierChange.account_id == account_id)
        return list(fresh.scalars(stmt.order_by(TierChange.id)))


def events() -> list[OutboxEvent]:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return list(fresh.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def last_run() -> TieringRun:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.scalar(select(TieringRun).order_by(TieringRun.id.desc()).limit(1))


def set_arr(account, dollars: int) -> None:
    """Change an account's ARR behind the ORM's back, as an import would."""
    db.session.execute(
        db.update(type(account))
        .where(type(account).id == account.id)
        .values(arr_cents=dollars * 100)
    )
    db.session.commit()
