"""Export account lists, segments, tier history and usage metrics as CSV or XLSX, escaped against formula injection."""

import json
from collections.abc import Iterator

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.attribute_text import attribute_text
from cstier.domain.imports import KINDS
from cstier.domain.permissions import Actor
from cstier.domain.reports.tier_review import SchemeTiers
from cstier.models import (
    Account,
    Company,
    CustomAttribute,
    TierChange,
    TierScheme,
    UsageMetric,
    User,
)
from cstier.services.account_list import coverage_name, tier_columns, tier_of
from cstier.services.accounts import AccountFilter, list_query, scoped
from cstier.services.errors import ServiceError
from cstier.services.export_files import render, render_pages
from cstier.services.imports.targets import TARGETS
from cstier.services.reports import scheme_tiers
from cstier.services.tiering.current_arr import current_arr
from cstier.store.bulk_reads import read_frame, read_frames

EXPORTS = {
    "accounts": "Accounts (the filtered list; re-imports as accounts)",
    "segment": "One segment: the accounts of a scheme's tier",
    "tier_history": "Tier history: every tier change",
    "metrics": "Usage metrics (re-imports as usage)",
}
# Rows read, held and written at a time: an export's memory does not grow with the book.
EXPORT_PAGE = 5_000
TIER_HISTORY_COLUMNS = [
    "account_external_id",
    "account_name",
    "scheme",
    "dimension",
    "from_tier",
    "to_tier",
    "at",
    "reason",
    "explanation",
]

__all__ = ["EXPORTS", "AccountFilter", "ExportRefused", "build", "pages", "render", "render_pages"]


class ExportRefused(ServiceError):
    """The export cannot be built as asked (e.g. a segment without a tier)."""


def account_frames(session: Session, actor: Actor, flt: AccountFilter) -> Iterator[pd.DataFrame]:
    """Yield the filtered account list in the accounts import format, in list order, a page at a time.

    After the import's columns come what the list shows besides (company and CSM names,
    a `tier.<scheme key>` column per active scheme, the coverage model); an import ignores them.
    """
    keys = [a.key for a in session.scalars(select(CustomAttribute).order_by(CustomAttribute.key))]
    schemes = tier_columns(session)
    listed = list_query(session, actor, flt).with_only_columns(Account.id)
    empty = True
    for page in read_frames(session, listed, ["id"], EXPORT_PAGE):
        empty = False
        yield _accounts_page(session, page["id"].tolist(), keys, schemes)
    if empty:
        names = KINDS["accounts"].names
        before, after = names[: names.index("arr") + 1], names[names.index("arr") + 1 :]
        columns = [*before, "current_arr", *after, *_shown_columns(schemes)]
        yield pd.DataFrame(columns=columns + [f"attr.{k}" for k in keys])


def _accounts_page(session: Session, ids: list[int], keys: list[str], schemes) -> pd.DataFrame:
    """Return one page of accounts, by id in the given order, as the export writes them."""
    names = KINDS["accounts"].names
    shown = _shown_columns(schemes)
    stmt = TARGETS["accounts"].current().where(Account.id.in_(ids))
    stored = read_frame(session, stmt, [c.name for c in stmt.selected_columns])
    stored = stored.set_index("id").reindex(ids)
    out = stored[names].copy()
    listed = read_frame(session, _shown_stmt(schemes, ids), ["id", *shown]).set_index("id")
    out[shown] = listed.reindex(ids)[shown]
    out["arr"] = stored["arr"].map(lambda cents: f"{cents / 100:.2f}")
    # Current ARR is read, not imported: an accounts import ignores the column.
    field = pd.Series(stored["arr"].to_numpy(dtype=float) / 100)
    current = current_arr(session, pd.Series(ids), field, accounts=ids)
    out.insert(out.columns.get_loc("arr") + 1, "current_arr", [f"{units:.2f}" for units in current])
    for name in ("contract_start_date", "renewal_date"):
        out[name] = pd.to_datetime(stored[name]).dt.strftime("%Y-%m-%d")
    attributes = stored["attributes"].map(_as_dict)
    for key in keys:
        # Written as the importer reads them back: yes/no, and a whole number without ".0".
        out[f"attr.{key}"] = attributes.map(
            lambda d, k=key: attribute_text(d[k]) if d.get(k) is not None else None
        )
    return out.reset_index(drop=True)


def _shown_columns(schemes) -> list[str]:
    return ["company_name", "csm_name", *(f"tier.{s.key}" for s in schemes), "coverage_model"]


def _shown_stmt(schemes, ids: list[int]):
    """Select, per account of `ids`, its company and CSM names, tiers and coverage model."""
    return (
        select(
            Account.id,
            Company.name,
            User.name,
            *(tier_of(s.scheme_id) for s in schemes),
            coverage_name(),
        )
        .join(Company, Company.id == Account.company_id)
        .outerjoin(User, User.id == Account.csm_id)
        .where(Account.id.in_(ids))
    )


def segment_choices(session: Session) -> list[dict]:
    """Return every scheme's key, name and tiers (top first), for the segment export's choices."""
    return [
        {"key": key, "name": scheme.name, "tiers": list(scheme.tiers)}
        for key, scheme in _schemes_by_key(session).items()
    ]


def segment_filter(session: Session, scheme_key: str, tier: str) -> AccountFilter:
    """Return the account filter of one tier of one scheme, refusing a scheme or tier not there.

    The tier is matched whatever its case.
    """
    schemes = _schemes_by_key(session)
    scheme = schemes.get(scheme_key.strip())
    if scheme is None:
        keys = ", ".join(schemes) or "none yet"
        raise ExportRefused(f"No tier scheme with key {scheme_key!r}; the keys are {keys}.")
    named = {t.casefold(): t for t in scheme.tiers}
    if tier.strip().casefold() not in named:
        raise ExportRefused(
            f"{scheme.name} has no tier {tier!r}; choose one of {', '.join(scheme.tiers)}."
        )
    return AccountFilter(tier_scheme_id=scheme.scheme_id, tier=named[tier.strip().casefold()])


def _schemes_by_key(session: Session) -> dict[str, SchemeTiers]:
    """Return the schemes with their tiers, top first, by key, in the review's order."""
    keys = dict(session.execute(select(TierScheme.id, TierScheme.key)).all())
    return {keys[scheme_id]: scheme for scheme_id, scheme in scheme_tiers(session).items()}


def tier_history_frames(session: Session, actor: Actor) -> Iterator[pd.DataFrame]:
    """Yield every tier change of the visible accounts, oldest first, times in UTC, a page at a time."""
    stmt = (
        select(
            Account.external_id,
            Account.name,
            TierScheme.key,
            TierChange.dimension,
            TierChange.from_tier,
            TierChange.to_tier,
            TierChange.at,
            TierChange.reason,
            TierChange.explanation,
        )
        .join(Account, TierChange.account_id == Account.id)
        .join(TierScheme, TierChange.scheme_id == TierScheme.id)
        .order_by(TierChange.at, TierChange.id)
    )
    for frame in _pages(session, scoped(stmt, actor), TIER_HISTORY_COLUMNS):
        # UTC wall-clock times on every engine (SQLite hands back text, PostgreSQL aware times).
        frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_localize(None)
        yield frame


def metrics_frames(session: Session, actor: Actor) -> Iterator[pd.DataFrame]:
    """Yield the usage metrics of the visible accounts in the usage import format, a page at a time."""
    stmt = (
        select(Account.external_id, UsageMetric.metric, UsageMetric.period_start, UsageMetric.value)
        .join(Account, UsageMetric.account_id == Account.id)
        .order_by(Account.external_id, UsageMetric.metric, UsageMetric.period_start)
    )
    for frame in _pages(session, scoped(stmt, actor), KINDS["usage"].names):
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
        yield frame


def _pages(session: Session, stmt, columns: list[str]) -> Iterator[pd.DataFrame]:
    """Yield the select's rows a page at a time; an empty result still yields its header."""
    empty = True
    for frame in read_frames(session, stmt, columns, EXPORT_PAGE):
        empty = False
        yield frame
    if empty:
        yield pd.DataFrame(columns=columns)


def pages(
    session: Session,
    actor: Actor,
    kind: str,
    flt: AccountFilter | None = None,
    *,
    scheme_key: str | None = None,
    tier: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Return the rows of one export kind for the actor as frames of at most EXPORT_PAGE rows.

    A refused export raises ExportRefused here, before any row is read or any byte is sent.
    """
    if kind == "accounts":
        return account_frames(session, actor, flt or AccountFilter())
    if kind == "segment":
        if not scheme_key or not tier:
            raise ExportRefused("A segment export needs a scheme and a tier.")
        return account_frames(session, actor, segment_filter(session, scheme_key, tier))
    if kind == "tier_history":
        return tier_history_frames(session, actor)
    if kind == "metrics":
        return metrics_frames(session, actor)
    raise ExportRefused(f"Unknown export {kind!r}; choose one of {', '.join(EXPORTS)}.")


def build(
    session: Session,
    actor: Actor,
    kind: str,
    flt: AccountFilter | None = None,
    *,
    scheme_key: str | None = None,
    tier: str | None = None,
) -> pd.DataFrame:
    """Return all the rows of one export kind for the actor as one frame (for small books and tests)."""
    frames = pages(session, actor, kind, flt, scheme_key=scheme_key, tier=tier)
    return pd.concat(list(frames), ignore_index=True)


def _as_dict(value) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})
