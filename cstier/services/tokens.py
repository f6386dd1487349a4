"""Per-user API tokens: create (shown once), store hashed, authenticate, revoke."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.models import ApiToken, User
from cstier.models.base import utcnow
from cstier.services.errors import NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work

TOKEN_MARK = "cst_"  # lets secret scanners and people recognise a cstier token
PREFIX_LENGTH = 12
MAX_NAME_LENGTH = 120
# Recording every use would turn each read into a write; a minute's precision is enough.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    """Return the sha256 hex digest stored in place of the token."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def create_token(
    session: Session, user: User, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for an active user; return it with the plain token, which is never stored."""
    with unit_of_work(session):
        name = (name or "").strip()
        errors: dict[str, list[str]] = {}
        if not name:
            errors["name"] = ["Name the token after what will use it, e.g. 'CRM sync'."]
        elif len(name) > MAX_NAME_LENGTH:
            errors["name"] = [f"The name can be at most {MAX_NAME_LENGTH} characters."]
        if not user.active:
            errors["user"] = [f"{user.email} is inactive; reactivate them first."]
        if errors:
            raise ValidationFailed("The token was not created.", errors)
        raw = TOKEN_MARK + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user.id,
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            token_hash=hash_token(raw),
            created_at=now or utcnow(),
        )
        session.add(token)
    return token, raw


def user_by_email(session: Session, email: str) -> User:
    """Return the user with this email or raise NotFound."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """Return a user's tokens (everyone's if None), newest first."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(session.scalars(stmt))


def revoke_token(
    session: Session, token_id: int, owner_id: int | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke a token (only the owner's, when owner_id is given); revoking twice is harmless."""
    with unit_of_work(session):
        token = session.get(ApiToken, token_id)
        if token is None or (owner_id is not None and token.user_id != owner_id):
            raise NotFound(f"No API token with id {token_id}.")
        if token.revoked_at is None:
            token.revoked_at = now or utcnow()
    return token


def authenticate(session: Session, raw: str, now: datetime | None = None) -> User | None:
    """Return the active user of an unrevoked token and note its use; None otherwise."""
    now = now or utcnow()
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) >= TOUCH_INTERVAL:
        with unit_of_work(session):
            token.last_used_at = now
    return token.user
