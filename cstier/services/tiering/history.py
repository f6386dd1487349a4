"""Tier history: an account's timeline, tiers as of a date, segment composition as of a date."""

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor, sees_whole_book
from cstier.domain.tiering.inputs import move_cause, read_inputs
from cstier.models import Account, TierChange, TieringRun, TierScheme
from cstier.models.base import utcnow
from cstier.services.accounts import scoped
from cstier.services.errors import NotFound
from cstier.services.reports import scheme_tiers
from cstier.services.tiering.explain_now import ReasonNow, reasons_now
from cstier.services.tiering.segments import rank_key
from cstier.store.bulk_reads import among
from cstier.store.tier_blocks import account_tiers


def timeline(session: Session, account_id: int, as_of: datetime | None = None) -> list[TierChange]:
    """Return every tier change of an account (up to `as_of` if given), newest first.

    History is indexed by (run_id, account_id), not by account (migration 0018): the
    account's rows are found by one probe per run that could have written them, and
    rows written outside a run by their NULL run_id.
    """
    # Only a run that succeeded wrote history: a failed one rolled its rows back.
    wrote = TieringRun.dry_run.is_(False) & (TieringRun.status == "succeeded")
    runs = session.scalars(select(TieringRun.id).where(wrote)).all()
    found = or_(TierChange.run_id.is_(None), among(session, TierChange.run_id, runs))
    stmt = select(TierChange).where(TierChange.account_id == account_id, found)
    if as_of is not None:
        stmt = stmt.where(TierChange.at <= as_of)
    changes = list(session.scalars(stmt.order_by(TierChange.at.desc(), TierChange.id.desc())))
    _name_causes(changes)
    return changes


FIELD_LABELS = {"arr": "ARR", "annual_revenue": "annual revenue"}


def _name_causes(newest_first: list[TierChange]) -> None:
    """Say of each move whether its scheme changed version, its data changed, or both."""
    previous: dict[int, TierChange] = {}
    for change in reversed(newest_first):
        before = previous.get(change.scheme_id)
        if before is not None and change.reason == "rule":
            change.cause = move_cause(
                before.scheme_version,
                read_inputs(before.inputs),
                change.scheme_version,
                read_inputs(change.inputs),
                FIELD_LABELS,
            )
        previous[change.scheme_id] = change


def _latest_by_scheme(
    session: Session, account_id: int, as_of: datetime | None = None
) -> dict[int, TierChange]:
    """Return an account's newest change per scheme id (up to `as_of` if given)."""
    latest: dict[int, TierChange] = {}
    for change in timeline(session, account_id, as_of):
        latest.setdefault(change.scheme_id, change)  # the timeline is newest first
    return latest


@dataclass(frozen=True)
class CurrentTier:
    """An account's tier in one scheme and why it holds it: the change that set it."""

    scheme: TierScheme
    tier: str
    pending_tier: str | None
    pending_count: int
    change: TierChange | None
    now: ReasonNow | None = None

    @property
    def scheme_id(self) -> int:
        """Return the scheme's id."""
        return self.scheme.id

    @property
    def explanation(self) -> str:
        """Return why the account holds this tier today, under the scheme version in force.

        An imported tier, or one no single account can re-derive (a percentile), keeps the
        explanation of the move that set it.
        """
        stored = self.change.explanation if self.change else ""
        if self.now is None or (self.change is not None and self.change.reason == "import"):
            return stored
        if self.now.tier == self.tier:
            return self.now.explanation
        return (
            f"Its data changed since the last run: the scheme in force now gives "
            f"{self.now.tier or 'no tier'} ({self.now.explanation}); the next run moves it."
        )

    @property
    def source(self) -> str:
        """Return what set the tier: rule, override or import."""
        return self.change.reason if self.change else "rule"

    @property
    def scheme_version(self) -> int | None:
        """Return the scheme version that assigned the tier."""
        return self.change.scheme_version if self.change else None

    @property
    def run_id(self) -> int | None:
        """Return the run that set the tier."""
        return self.change.run_id if self.change else None

    @property
    def updated_at(self) -> datetime | None:
        """Return when the tier was set."""
        return self.change.at if self.change else None


def current_for_account(
    session: Session, account_id: int, now: datetime | None = None
) -> list[CurrentTier]:
    """Return an account's current tiers, value and needs first, each with its latest change.

    The tier blocks hold the tier alone (store/tier_blocks.py); the change that set
    it, written in the same transaction, says why. An account has a few dozen changes at
    most, so all of them are read (`timeline`) and the newest per scheme kept.
    """
    held = account_tiers(session, account_id)
    if not held:
        return []
    return _current_tiers(session, account_id, held, timeline(session, account_id), now)


def tiers_and_timeline(
    session: Session, account_id: int, now: datetime | None = None
) -> tuple[list[CurrentTier], list[TierChange]]:
    """Return an account's current tiers and its timeline, the history read once for both."""
    changes = timeline(session, account_id)
    held = account_tiers(session, account_id)
    tiers = _current_tiers(session, account_id, held, changes, now) if held else []
    return tiers, changes


def _current_tiers(
    session: Session,
    account_id: int,
    held: dict[int, tuple[str, str | None, int]],
    newest_first: list[TierChange],
    now: datetime | None,
) -> list[CurrentTier]:
    schemes = session.scalars(
        select(TierScheme)
        .where(TierScheme.id.in_(held))
        .order_by(TierScheme.dimension.desc(), TierScheme.name)
    ).all()
    latest: dict[int, TierChange] = {}
    for change in newest_first:
        latest.setdefault(change.scheme_id, change)
    reasons = reasons_now(session, account_id, held, now or utcnow())
    tiers = []
    for scheme in schemes:
        tier, pending_tier, pending_count = held[scheme.id]
        # The newest change is the one that set the tier unless the history was cut short.
        change = latest.get(scheme.id)
        setting = change if change is not None and change.to_tier == tier else None
        tiers.append(
            CurrentTier(scheme, tier, pending_tier, pending_count, setting, reasons.get(scheme.id))
        )
    return tiers


def _latest_changes_before(as_of: datetime, accounts: Select | None = None):
    """Subquery of each (account, scheme)'s last change at or before as_of (of some accounts)."""
    history = TierChange.at <= as_of
    if accounts is not None:
        history = history & TierChange.account_id.in_(accounts)
    ranked = (
        select(
            TierChange.account_id,
            TierChange.scheme_id,
            TierChange.to_tier,
            func.row_number()
            .over(
                partition_by=(TierChange.account_id, TierChange.scheme_id),
                order_by=(TierChange.at.desc(), TierChange.id.desc()),
            )
            .label("position"),
        )
        .where(history)
        .subquery()
    )
    return select(ranked.c.account_id, ranked.c.scheme_id, ranked.c.to_tier).where(
        ranked.c.position == 1
    )


def tiers_as_of(session: Session, account_id: int, as_of: datetime) -> dict[str, str]:
    """Return {scheme name: tier} for one account as it stood at `as_of`, from the history."""
    latest = _latest_by_scheme(session, account_id, as_of)
    names = dict(
        session.execute(
            select(TierScheme.id, TierScheme.name).where(TierScheme.id.in_(latest))
        ).all()
    )
    return {names[scheme_id]: change.to_tier for scheme_id, change in latest.items()}


def composition_as_of(
    session: Session, scheme_id: int, as_of: datetime, actor: Actor | None = None
) -> pd.DataFrame:
    """Return tier and accounts for one scheme's segments as they stood at `as_of`.

    A CSM counts only their own book, and it is their book *today*: accounts whose current
    csm_id is theirs, with those accounts' tiers at `as_of`. The history keeps no owner, so
    an account handed over since then counts in its new CSM's past, not its old one's.
    Without an actor (jobs, reports) the whole book is counted.
    """
    accounts = None
    if actor is not None and not sees_whole_book(actor):
        accounts = scoped(select(Account.id), actor)
    latest = _latest_changes_before(as_of, accounts).subquery()
    stmt = (
        select(latest.c.to_tier, func.count())
        .where(latest.c.scheme_id == scheme_id)
        .group_by(latest.c.to_tier)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["tier", "accounts"])
    return _in_rank_order(session, scheme_id, frame)


def _in_rank_order(session: Session, scheme_id: int, frame: pd.DataFrame) -> pd.DataFrame:
    """Order a per-tier frame by the scheme's tiers, top first; tiers it no longer has go last."""
    scheme = scheme_tiers(session).get(scheme_id)
    order = scheme.tiers if scheme else ()
    keys = [rank_key(tier, order) for tier in frame["tier"]]
    return frame.iloc[sorted(range(len(frame)), key=keys.__getitem__)].reset_index(drop=True)


def get_run(session: Session, run_id: int) -> TieringRun:
    """Return one tiering run, or raise NotFound."""
    run = session.get(TieringRun, run_id)
    if run is None:
        raise NotFound(f"No tiering run with id {run_id}.")
    return run


def recent_runs(session: Session, limit: int = 20) -> list[TieringRun]:
    """Return the newest runs first."""
    stmt = (
        select(TieringRun).order_by(TieringRun.started_at.desc(), TieringRun.id.desc()).limit(limit)
    )
    return list(session.scalars(stmt))
