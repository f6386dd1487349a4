"""Engagement: log and list an account's touches, seed cadences, report cadence compliance."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cstier.domain.engagement import (
    DEFAULT_CADENCES,
    TOUCH_KINDS,
    cadence_compliance,
    engagement_inputs,
)
from cstier.domain.permissions import Actor, can_edit_account, can_manage_book
from cstier.models import Account, AccountCoverage, CoverageModel, Touch, TouchCadence, User
from cstier.models.base import utcnow
from cstier.services.accounts import get_account
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.integer_reads import read_integers_at_once
from cstier.store.metric_reads import day_number
from cstier.store.range_reads import AccountRange

MAX_NOTE = 10_000
# The day number read for a kind of touch an account never had.
NO_TOUCH = -(2**31)
TOUCHES_SHOWN = 200


def ensure_default_cadences(session: Session) -> int:
    """Give the default coverage models their cadence when they have none; return how many."""
    have = set(session.scalars(select(TouchCadence.coverage_model_id)))
    created = 0
    for model in session.scalars(select(CoverageModel)):
        rule = DEFAULT_CADENCES.get(model.key)
        if rule is None or model.id in have:
            continue
        session.add(
            TouchCadence(coverage_model_id=model.id, touch_kind=rule[0], every_days=rule[1])
        )
        created += 1
    session.flush()
    return created


def _refuse(field: str, message: str) -> None:
    raise ValidationFailed(f"{field}: {message}", {field: [message]})


def log_touch(
    session: Session, actor: Actor, account_id: int, values: dict, today: date | None = None
) -> Touch:
    """Record a touch on an account the actor may edit; refuse a bad kind, day or note."""
    today = today or utcnow().date()
    with unit_of_work(session):
        account = get_account(session, actor, account_id)
        if not can_edit_account(actor, account.csm_id):
            raise Forbidden("You may not log touches on this account.")
        kind = values.get("kind")
        if kind not in TOUCH_KINDS:
            _refuse("kind", f"must be one of {', '.join(TOUCH_KINDS)}")
        occurred_on = values.get("occurred_on")
        if not isinstance(occurred_on, date):
            _refuse("occurred_on", "give a date as YYYY-MM-DD")
        if occurred_on > today:
            _refuse("occurred_on", "is in the future")
        note = values.get("note") or ""
        if len(note) > MAX_NOTE:
            _refuse("note", f"must be at most {MAX_NOTE:,} characters")
        csm_id = values.get("csm_id") or actor.user_id or account.csm_id
        touch = Touch(
            account_id=account_id, kind=kind, occurred_on=occurred_on, csm_id=csm_id, note=note
        )
        session.add(touch)
        session.flush()
    return touch


def list_touches(session: Session, actor: Actor, account_id: int) -> list[Touch]:
    """Return the account's latest touches, newest first."""
    get_account(session, actor, account_id)
    return list(
        session.scalars(
            select(Touch)
            .where(Touch.account_id == account_id)
            .order_by(Touch.occurred_on.desc(), Touch.id.desc())
            .limit(TOUCHES_SHOWN)
        )
    )


def read_touches(session: Session, before: date) -> pd.DataFrame:
    """Return every touch before the day: account_id, kind, occurred_on."""
    stmt = select(Touch.account_id, Touch.kind, Touch.occurred_on).where(Touch.occurred_on < before)
    return read_frame(session, stmt, ["account_id", "kind", "occurred_on"])


def read_latest_touches(
    session: Session, before: date, kinds: list[str], accounts: AccountRange | None = None
) -> pd.DataFrame:
    """Return per touched account the day of its last touch before the day ("any") and of each kind.

    The database groups the touches, so the book's history never travels: one row per account
    (of the accounts in the range when given), sent as integer columns.
    """
    days = [func.max(Touch.occurred_on)]
    days += [func.max(case((Touch.kind == kind, Touch.occurred_on))) for kind in kinds]
    stmt = (
        select(Touch.account_id, *(func.coalesce(day_number(session, d), NO_TOUCH) for d in days))
        .where(Touch.occurred_on < before)
        .group_by(Touch.account_id)
    )
    if accounts is not None:
        stmt = stmt.where(Touch.account_id.between(*accounts))
    names = ["account_id", "any", *kinds]
    columns = read_integers_at_once(session, stmt, names)
    order = np.argsort(columns["account_id"], kind="stable")
    frame = pd.DataFrame(
        {
            name: pd.to_datetime(np.where(values == NO_TOUCH, np.nan, values)[order], unit="D")
            for name, values in columns.items()
            if name != "account_id"
        },
        index=pd.Index(columns["account_id"][order], name="account_id"),
    )
    return frame[names[1:]]


def read_cadences(session: Session) -> pd.DataFrame:
    """Return each coverage model's cadence rule."""
    stmt = select(TouchCadence.coverage_model_id, TouchCadence.touch_kind, TouchCadence.every_days)
    return read_frame(session, stmt, ["coverage_model_id", "touch_kind", "every_days"])


@dataclass(frozen=True)
class Compliance:
    """Cadence compliance per CSM and per coverage model."""

    by_csm: pd.DataFrame
    by_model: pd.DataFrame


def compliance(session: Session, actor: Actor, today: date | None = None) -> Compliance:
    """Return how many accounts with a cadence kept it, per CSM and per coverage model."""
    today = today or utcnow().date()
    stmt = (
        select(Account.id, AccountCoverage.coverage_model_id, User.name, CoverageModel.name)
        .join(AccountCoverage, AccountCoverage.account_id == Account.id)
        .join(CoverageModel, AccountCoverage.coverage_model_id == CoverageModel.id)
        .outerjoin(User, Account.csm_id == User.id)
    )
    if actor.role == "csm":
        stmt = stmt.where(Account.csm_id == actor.user_id)
    accounts = read_frame(session, stmt, ["account_id", "coverage_model_id", "csm", "model"])
    accounts = accounts.set_index("account_id")
    inputs = engagement_inputs(
        accounts, read_touches(session, today), read_cadences(session), today
    ).join(accounts)
    return Compliance(cadence_compliance(inputs, "csm"), cadence_compliance(inputs, "model"))


def cadence_of(session: Session, coverage_model_id: int) -> TouchCadence | None:
    """Return a coverage model's cadence, if it has one."""
    return session.get(TouchCadence, coverage_model_id)


def save_cadence(session: Session, actor: Actor, coverage_model_id: int, values: dict) -> None:
    """Set or remove a coverage model's cadence (managers): a touch kind or any, every N days."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins set cadences.")
        if session.get(CoverageModel, coverage_model_id) is None:
            raise NotFound("No such coverage model.")
        kind = values.get("touch_kind") or None
        if kind not in (None, "none", *TOUCH_KINDS):
            _refuse("touch_kind", f"must be any, none or one of {', '.join(TOUCH_KINDS)}")
        cadence = session.get(TouchCadence, coverage_model_id)
        if kind == "none":
            if cadence is not None:
                session.delete(cadence)
            return
        text = str(values.get("every_days") or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 730:
            _refuse("every_days", "must be a whole number of days from 1 to 730")
        if cadence is None:
            cadence = TouchCadence(coverage_model_id=coverage_model_id)
            session.add(cadence)
        cadence.touch_kind, cadence.every_days = kind, int(text)
