"""Write and read the audit log."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import AuditLog


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """Return a JSON-safe dict of the named attributes of obj."""
    return {name: _json_safe(getattr(obj, name)) for name in fields}


def _json_safe(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def record(
    session: Session,
    *,
    actor_id: int | None,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict | None,
    after: dict | None,
) -> AuditLog | None:
    """Add an audit entry in the caller's transaction; skip updates that changed nothing."""
    if action == "update" and before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    entry = AuditLog(
        user_id=actor_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def history(session: Session, entity_type: str, entity_id: int, limit: int = 100) -> list[AuditLog]:
    """Return the newest audit entries for one entity."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
