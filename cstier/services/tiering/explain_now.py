"""Why an account holds its tiers today: its data, under the scheme versions in force.

Computed when the account is read, so a scheme edit rewrites no stored explanation, and an
account held by hysteresis or an override says so rather than repeating an old band.
"""

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.tiering import (
    PercentileScheme,
    apply_hysteresis,
    apply_overrides,
    evaluate,
    input_columns,
)
from cstier.models import TierOverride, User
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.schemes import active_schemes, validate_against
from cstier.store.bulk_reads import read_frame


@dataclass(frozen=True)
class ReasonNow:
    """The tier the scheme in force gives the account today, and why."""

    tier: str | None
    explanation: str


def reasons_now(
    session: Session,
    account_id: int,
    held: dict[int, tuple[str, str | None, int]],
    now: datetime,
) -> dict[int, ReasonNow]:
    """Evaluate every active scheme for one account; `held` is its stored tiers by scheme id.

    A percentile scheme ranks the whole book, so one account alone cannot be placed: it
    has no entry, and the stored explanation of its last move stands.
    """
    schemes = [s for s in active_schemes(session) if s.id in held]
    if not schemes:
        return {}
    # One catalog for every scheme: reading it is a few queries, asked on every account page.
    catalog = field_catalog(session)
    parsed = {s.id: validate_against(s.current.definition, catalog) for s in schemes}
    parsed = {k: p for k, p in parsed.items() if not isinstance(p, PercentileScheme)}
    if not parsed:
        return {}
    fields = set().union(*(input_columns(p) for p in parsed.values()))
    book = load_book(session, fields, catalog, accounts=[account_id], day=now.date())
    if book.empty:
        return {}
    overrides = _overrides(session, account_id)
    reasons = {}
    for scheme_id, scheme in parsed.items():
        tier, pending_tier, pending_count = held[scheme_id]
        result = evaluate(scheme, book, explain=True)
        if scheme.hysteresis is not None:
            current = pd.DataFrame(
                {
                    "account_id": [account_id],
                    "tier": [tier],
                    "pending_tier": [pending_tier],
                    "pending_count": [pending_count],
                }
            )
            result = apply_hysteresis(result, current, scheme)
        mine = overrides[overrides["scheme_id"] == scheme_id].drop(columns="scheme_id")
        if not mine.empty:
            result = apply_overrides(result, mine, now)
        proposed = result["tier"].iloc[0]
        reasons[scheme_id] = ReasonNow(
            None if pd.isna(proposed) else str(proposed), str(result["explanation"].iloc[0] or "")
        )
    return reasons


def _overrides(session: Session, account_id: int) -> pd.DataFrame:
    """Return the account's unrevoked overrides, oldest first, their reason naming who set them."""
    stmt = (
        select(
            TierOverride.account_id,
            TierOverride.scheme_id,
            TierOverride.tier,
            TierOverride.reason,
            User.name,
            TierOverride.expires_at,
        )
        .outerjoin(User, User.id == TierOverride.created_by_id)
        .where(TierOverride.account_id == account_id, TierOverride.revoked_at.is_(None))
        .order_by(TierOverride.created_at, TierOverride.id)
    )
    frame = read_frame(
        session, stmt, ["account_id", "scheme_id", "tier", "reason", "by", "expires_at"]
    )
    by = frame["by"].astype(object).where(frame["by"].notna(), "someone")
    frame["reason"] = frame["reason"].astype(object) + ", set by " + by
    return frame.drop(columns="by")
