"""Give a freshly loaded demo book a past: twelve weekly runs, a scheme edit, overrides, owners.

A demo tiered once never moves, so the tier review, the alerts and the trends would be empty.
Here the book lives through weekly runs in which a few accounts' ARR drifts (so most moves go
to a neighbouring tier), the value scheme is edited once, managers pin a few tiers, CSMs serve
coverage models (two of them over capacity, one with room) and two suggestions of new owners
are accepted, which opens their handoffs.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.models import Account, AccountCoverage, TierScheme, User
from cstier.models.base import utcnow
from cstier.services.coverage.assign import AssignmentRefused, assign_accounts
from cstier.services.coverage.capacity import capacity_report
from cstier.services.coverage.profiles import get_profile, profile_version, save_profile
from cstier.services.coverage.transfer import Assignment
from cstier.services.tiering.overrides import create_override
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import save_version
from cstier.services.unit_of_work import unit_of_work
from cstier.store.sizes import BatchSizes

STORY_WEEKS = 12
DRIFTING_SHARE = 0.06  # of the book, each week
SCHEME_EDIT_WEEK = 6  # weeks ago
# CSM (demo user id) → the coverage models they serve and their FTE; Lucia (LATAM) serves
# every model with room to spare.
CSM_PROFILES = {
    4: (["high_touch"], "1.0"),
    5: (["high_touch", "pooled"], "1.0"),
    6: (["pooled", "tech_touch"], "1.0"),
    7: (["high_touch", "pooled"], "1.0"),
    8: (["pooled", "tech_touch"], "1.0"),
    9: (["high_touch", "pooled"], "1.0"),
    10: (["pooled", "tech_touch"], "1.0"),
    11: (["high_touch", "pooled", "tech_touch"], "1.5"),
}
# Part-timers whose FTE is set after the first run so their book is this much of capacity.
OVERLOADED = {4: 130.0, 7: 125.0}
CSM_REGIONS = {4: "NA", 5: "NA", 6: "NA", 7: "EMEA", 8: "EMEA", 9: "APAC", 10: "APAC", 11: "LATAM"}
MANAGER = Actor(user_id=2, role="cs_manager")
ADMIN = Actor(user_id=1, role="admin")


@dataclass(frozen=True)
class StorySummary:
    """What the story wrote: runs, moves, overrides and handoffs."""

    runs: int
    moves: int
    overrides: int
    handoffs: int


def tell_demo_story(
    session: Session,
    seed: int,
    *,
    now: datetime | None = None,
    first_run_at: datetime | None = None,
    weeks: int = STORY_WEEKS,
    sizes: BatchSizes = BatchSizes(),
) -> StorySummary:
    """Live the demo book through `weeks` weekly runs up to `now`, then assign and pin.

    The first run is dated `first_run_at` when given (before a subscription history, so
    every month of it has segments), else the first of the weekly Mondays.
    """
    now = now or utcnow()
    rng = np.random.default_rng(seed)
    _serve_coverage_models(session)
    this_monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(6), UTC)
    mondays = [this_monday - timedelta(weeks=k) for k in range(weeks, 0, -1)]
    if first_run_at is not None:
        mondays[0] = min(first_run_at, mondays[0])
    runs = moves = overrides = 0
    for week, run_at in zip(range(weeks, 0, -1), mondays, strict=True):
        if week < weeks:
            _drift_arr(session, rng)
        if week == SCHEME_EDIT_WEEK:
            _edit_value_scheme(session)
        if week == 4:
            overrides = _pin_tiers(session, now)
        summary = retier_book(session, SYSTEM_ACTOR, trigger="schedule", now=run_at, sizes=sizes)
        if week == weeks:
            _overload_part_timers(session)
        runs += 1
        moves += sum(summary.changes.values())
    handoffs = _accept_two_suggestions(session, now)
    return StorySummary(runs=runs, moves=moves, overrides=overrides, handoffs=handoffs)


def _serve_coverage_models(session: Session) -> None:
    """Give each demo CSM the coverage models they serve, their FTE and region."""
    present = set(session.scalars(select(User.id).where(User.id.in_(CSM_PROFILES))))
    for user_id, (models, fte) in CSM_PROFILES.items():
        if user_id not in present:
            continue
        _, profile = get_profile(session, user_id)
        save_profile(
            session,
            MANAGER,
            user_id,
            {"fte": fte, "coverage_model_keys": models, "regions": [CSM_REGIONS[user_id]]},
            profile_version(profile),
        )


def _overload_part_timers(session: Session) -> None:
    """Cut two CSMs' FTE so their books, as the first run left them, are over capacity."""
    loads = {row["csm_id"]: row for row in capacity_report(session).csms}
    for user_id, target in OVERLOADED.items():
        row = loads.get(user_id)
        if row is None or not row["load"]:
            continue
        fte = Decimal(str(row["fte"])) * Decimal(str(row["load"])) / Decimal(str(target))
        fte = min(max(fte.quantize(Decimal("0.01")), Decimal("0.05")), Decimal(2))
        models, _ = CSM_PROFILES[user_id]
        _, profile = get_profile(session, user_id)
        save_profile(
            session,
            MANAGER,
            user_id,
            {"fte": str(fte), "coverage_model_keys": models, "regions": [CSM_REGIONS[user_id]]},
            profile_version(profile),
        )


def _drift_arr(session: Session, rng: np.random.Generator) -> None:
    """Move the ARR of a few percent of the book up or down, mostly by less than half."""
    with unit_of_work(session):
        rows = session.execute(select(Account.id, Account.arr_cents).order_by(Account.id)).all()
        if not rows:
            return
        ids = np.array([r[0] for r in rows])
        arr = np.array([r[1] or 0 for r in rows], dtype=np.int64)
        picked = rng.random(len(ids)) < DRIFTING_SHARE
        # Expansions outnumber contractions, as in a healthy book.
        factor = np.where(rng.random(picked.sum()) < 0.6, rng.uniform(1.15, 1.8, picked.sum()),
                          rng.uniform(0.45, 0.85, picked.sum()))  # fmt: skip
        changed = [
            {"key": int(i), "arr": int(round(a * f))}
            for i, a, f in zip(ids[picked], arr[picked], factor, strict=True)
        ]
        if changed:
            stmt = (
                update(Account.__table__)
                .where(Account.__table__.c.id == bindparam("key"))
                .values(arr_cents=bindparam("arr"), version=Account.__table__.c.version + 1)
            )
            session.connection().execute(stmt, changed)


def _edit_value_scheme(session: Session) -> None:
    """Raise the Growth band's floor once: some accounts move, some are held by hysteresis."""
    scheme = session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    if scheme is None:
        return
    definition = dict(scheme.current.definition)
    bands = [dict(b) for b in definition.get("bands", [])]
    for band in bands:
        if band.get("max") == 50_000:
            band["max"] = 60_000
        if band.get("min") == 50_000:
            band["min"] = 60_000
    definition["bands"] = bands
    save_version(session, ADMIN, scheme.id, definition, scheme.current_version)


def _pin_tiers(session: Session, now: datetime) -> int:
    """Pin three accounts' value tiers; one pin expires this week."""
    scheme = session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    if scheme is None:
        return 0
    candidates = session.scalars(
        select(Account.id).order_by(Account.arr_cents.desc(), Account.id).limit(40)
    ).all()
    pins = [
        (candidates[-1], "Strategic", "Board-level sponsor; expansion in negotiation", 3),
        (candidates[-5], "Strategic", "Reference customer for the EMEA launch", 45),
        (candidates[-9], "Strategic", "Multi-year renewal signed, ARR ramps next year", None),
    ]
    for account_id, tier, reason, days in pins:
        create_override(
            session,
            MANAGER,
            account_id=account_id,
            scheme_id=scheme.id,
            tier=tier,
            reason=reason,
            expires_at=None if days is None else now + timedelta(days=days),
        )
    return len(pins)


def _accept_two_suggestions(session: Session, now: datetime) -> int:
    """Accept the suggested owner of two accounts flagged for reassignment: two handoffs open."""
    flagged = session.execute(
        select(AccountCoverage.account_id, AccountCoverage.suggested_owner_id)
        .join(Account, Account.id == AccountCoverage.account_id)
        .where(
            AccountCoverage.needs_reassignment.is_(True),
            AccountCoverage.suggested_owner_id.is_not(None),
            Account.csm_id.is_not(None),
            Account.csm_id != AccountCoverage.suggested_owner_id,
        )
        .order_by(Account.arr_cents.desc(), Account.id)
        .limit(6)
    ).all()
    opened = 0
    for account_id, csm_id in flagged:
        if opened == 2:
            break
        assignment = Assignment(csm_id=csm_id, reason="Coverage model changed in the weekly run")
        try:
            result = assign_accounts(session, MANAGER, [account_id], assignment, now=now)
        except AssignmentRefused:
            continue
        opened += result.handoffs
    return opened
