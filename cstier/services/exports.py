"""Export account lists, segments, tier history and usage metrics as CSV or XLSX, escaped against formula injection."""

import io
import json
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KINDS, escape_frame
from cstier.domain.permissions import Actor
from cstier.models import Account, CustomAttribute, TierChange, TierScheme, UsageMetric
from cstier.services.accounts import AccountFilter, list_query, scoped
from cstier.services.errors import ServiceError
from cstier.services.imports.targets import TARGETS
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
    """Return the filtered account list in the accounts import format, in list order."""
    ids = list(
        session.scalars(list_query(session, actor, flt).with_only_columns(Account.id)).unique()
    )
    keys = [a.key for a in session.scalars(select(CustomAttribute).order_by(CustomAttribute.key))]
    names = KINDS["accounts"].names
    frames = []
    for start in range(0, len(ids), ID_BATCH):
        stmt = TARGETS["accounts"].current().where(Account.id.in_(ids[start : start + ID_BATCH]))
        frames.append(read_frame(session, stmt, [c.name for c in stmt.selected_columns]))
    if not frames:
        empty = [*names[: names.index("arr") + 1], "current_arr", *names[names.index("arr") + 1 :]]
        return pd.DataFrame(columns=empty + [f"attr.{k}" for k in keys])
    stored = pd.concat(frames).set_index("id").reindex(ids)
    out = stored[names].copy()
    out["arr"] = stored["arr"].map(lambda cents: f"{cents / 100:.2f}")
    # Current ARR is read, not imported: an accounts import ignores the column.
    field = pd.Series(stored["arr"].to_numpy(dtype=float) / 100)
    current = current_arr(session, pd.Series(ids), field)
    out.insert(out.columns.get_loc("arr") + 1, "current_arr", [f"{units:.2f}" for units in current])
    for name in ("contract_start_date", "renewal_date"):
        out[name] = pd.to_datetime(stored[name]).dt.strftime("%Y-%m-%d")
    attributes = stored["attributes"].map(_as_dict)
    for key in keys:
        out[f"attr.{key}"] = attributes.map(lambda d, k=key: d.get(k))
    return out.reset_index(drop=True)


def segment_frame(session: Session, actor: Actor, scheme_key: str, tier: str) -> pd.DataFrame:
    """Return the accounts holding one tier of one scheme, in the accounts import format."""
    scheme = session.scalar(select(TierScheme).where(TierScheme.key == scheme_key))
    if scheme is None:
        raise ExportRefused(f"No tier scheme with key {scheme_key!r}.")
    flt = AccountFilter(tier_scheme_id=scheme.id, tier=tier)
    return accounts_frame(session, actor, flt)


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
