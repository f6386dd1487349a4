"""Export account lists, segments, tier history and usage metrics as CSV or XLSX, escaped against formula injection."""

import io
import json
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.attribute_text import attribute_text
from cstier.domain.imports import KINDS, escape_frame
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
from cstier.services.imports.targets import TARGETS
from cstier.services.reports import scheme_tiers
from cstier.services.tiering.current_arr import current_arr
from cstier.store.bulk_reads import read_frame

EXPORTS = {
    "accounts": "Accounts (the filtered list; re-imports as accounts)",
    "segment": "One segment: the accounts of a scheme's tier",
    "tier_history": "Tier history: every tier change",
    "metrics": "Usage metrics (re-imports as usage)",
}
ID_BATCH = 5_000

__all__ = ["EXPORTS", "AccountFilter", "ExportRefused", "build", "render"]


class ExportRefused(ServiceError):
    """The export cannot be built as asked (e.g. a segment without a tier)."""


def accounts_frame(session: Session, actor: Actor, flt: AccountFilter) -> pd.DataFrame:
    """Return the filtered account list in the accounts import format, in list order.

    After the import's columns come what the list shows besides (company and CSM names,
    a `tier.<scheme key>` column per active scheme, the coverage model); an import ignores them.
    """
    ids = list(
        session.scalars(list_query(session, actor, flt).with_only_columns(Account.id)).unique()
    )
    keys = [a.key for a in session.scalars(select(CustomAttribute).order_by(CustomAttribute.key))]
    names = KINDS["accounts"].names
    schemes = tier_columns(session)
    shown = _shown_columns(schemes)
    frames, listed = [], []
    for start in range(0, len(ids), ID_BATCH):
        batch = ids[start : start + ID_BATCH]
        stmt = TARGETS["accounts"].current().where(Account.id.in_(batch))
        frames.append(read_frame(session, stmt, [c.name for c in stmt.selected_columns]))
        listed.append(read_frame(session, _shown_stmt(schemes, batch), ["id", *shown]))
    if not frames:
        empty = [*names[: names.index("arr") + 1], "current_arr", *names[names.index("arr") + 1 :]]
        return pd.DataFrame(columns=empty + shown + [f"attr.{k}" for k in keys])
    stored = pd.concat(frames).set_index("id").reindex(ids)
    out = stored[names].copy()
    out[shown] = pd.concat(listed).set_index("id").reindex(ids)[shown]
    out["arr"] = stored["arr"].map(lambda cents: f"{cents / 100:.2f}")
    # Current ARR is read, not imported: an accounts import ignores the column.
    field = pd.Series(stored["arr"].to_numpy(dtype=float) / 100)
    current = current_arr(session, pd.Series(ids), field)
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


def segment_frame(session: Session, actor: Actor, scheme_key: str, tier: str) -> pd.DataFrame:
    """Return the accounts holding one tier of one scheme, in the accounts import format.

    The tier is matched whatever its case; one the scheme does not have is refused.
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
    flt = AccountFilter(tier_scheme_id=scheme.scheme_id, tier=named[tier.strip().casefold()])
    return accounts_frame(session, actor, flt)


def _schemes_by_key(session: Session) -> dict[str, SchemeTiers]:
    """Return the schemes with their tiers, top first, by key, in the review's order."""
    keys = dict(session.execute(select(TierScheme.id, TierScheme.key)).all())
    return {keys[scheme_id]: scheme for scheme_id, scheme in scheme_tiers(session).items()}


def tier_history_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """Return every tier change of the visible accounts, oldest first, times in UTC."""
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
    columns = [
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
    frame = read_frame(session, scoped(stmt, actor), columns)
    # UTC wall-clock times on every engine (SQLite hands back text, PostgreSQL aware times).
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_localize(None)
    return frame


def metrics_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """Return the usage metrics of the visible accounts in the usage import format."""
    stmt = (
        select(Account.external_id, UsageMetric.metric, UsageMetric.period_start, UsageMetric.value)
        .join(Account, UsageMetric.account_id == Account.id)
        .order_by(Account.external_id, UsageMetric.metric, UsageMetric.period_start)
    )
    frame = read_frame(session, scoped(stmt, actor), KINDS["usage"].names)
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
    return frame


def build(
    session: Session,
    actor: Actor,
    kind: str,
    flt: AccountFilter | None = None,
    *,
    scheme_key: str | None = None,
    tier: str | None = None,
) -> pd.DataFrame:
    """Return the rows of one export kind for the actor."""
    if kind == "accounts":
        return accounts_frame(session, actor, flt or AccountFilter())
    if kind == "segment":
        if not scheme_key or not tier:
            raise ExportRefused("A segment export needs a scheme and a tier.")
        return segment_frame(session, actor, scheme_key, tier)
    if kind == "tier_history":
        return tier_history_frame(session, actor)
    if kind == "metrics":
        return metrics_frame(session, actor)
    raise ExportRefused(f"Unknown export {kind!r}; choose one of {', '.join(EXPORTS)}.")


def render(frame: pd.DataFrame, fmt: str) -> bytes:
    """Return the frame as CSV (UTF-8 with BOM, for Excel) or XLSX, text cells escaped."""
    safe = escape_frame(frame.astype(object).where(frame.notna(), None))
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("export")
        sheet.append(list(safe.columns))
        for row in safe.itertuples(index=False, name=None):
            sheet.append([_excel_value(value) for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _excel_value(value):
    """Return a cell Excel can hold: a timezone-aware time becomes naive UTC (times are stored in UTC)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _as_dict(value) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})
