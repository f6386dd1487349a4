"""Create users, sign them in with rate limiting, manage roles."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cstier.domain.permissions import ROLES
from cstier.models import LoginAttempt, User
from cstier.models.base import utcnow
from cstier.services.errors import NotFound, TooManyAttempts, ValidationFailed
from cstier.services.setup import seed_workspace_defaults
from cstier.services.versioning import check_version, guarded_write

MIN_PASSWORD_LENGTH = 8


def create_user(
    session: Session, email: str, password: str, role: str, name: str | None = None
) -> User:
    """Create a user with a hashed password; refuse duplicates, unknown roles and weak passwords.

    The first admin sets the workspace up: the default schemes and coverage models are created
    with it, so that no page has to create them when it is first opened.
    """
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"Role must be one of {', '.join(ROLES)}."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Password must be at least {MIN_PASSWORD_LENGTH} characters."]
    if "@" not in email:
        errors["email"] = ["Enter a valid email address."]
    elif session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = [f"A user with email {email} already exists."]
    if errors:
        raise ValidationFailed("The user was not created.", errors)
    first_admin = role == "admin" and not session.scalar(
        select(User.id).where(User.role == "admin")
    )
    user = User(email=email, name=name or email.split("@")[0].title(), role=role, active=True)
    user.set_password(password)
    session.add(user)
    if first_admin:
        seed_workspace_defaults(session)
    session.commit()
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    ip_address: str | None,
    *,
    max_failures: int,
    window_seconds: int,
    now: datetime | None = None,
) -> User | None:
    """Return the user if the password matches; record the attempt; refuse after too many failures."""
    now = now or utcnow()
    email = (email or "").strip().lower()
    since = now - timedelta(seconds=window_seconds)
    failures = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
        )
    )
    if failures >= max_failures:
        raise TooManyAttempts(
            "Too many failed sign-ins for this account. Wait 15 minutes and try again."
        )
    user = session.scalar(select(User).where(User.email == email))
    ok = bool(user and user.active and user.check_password(password))
    session.add(LoginAttempt(email=email, ip_address=ip_address, succeeded=ok, attempted_at=now))
    if ok:
        # A sign-in is not an edit: it leaves the version alone, so it never conflicts with one.
        session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
    session.commit()
    return user if ok else None


def update_user(
    session: Session,
    user_id: int,
    *,
    role: str,
    active: bool,
    name: str,
    new_password: str | None,
    expected_version: int,
) -> User:
    """Change a user's role, name, active flag and optionally password, if nobody saved in between."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    check_version(user, expected_version, "user")
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"Role must be one of {', '.join(ROLES)}."]
    if new_password is not None and len(new_password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Password must be at least {MIN_PASSWORD_LENGTH} characters."]
    if errors:
        raise ValidationFailed("The user was not saved.", errors)
    with guarded_write(session, "user"):
        user.role, user.active, user.name = role, active, name
        if new_password is not None:
            user.set_password(new_password)
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    """Return all users, admins first."""
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def csm_choices(session: Session) -> list[User]:
    """Return active users who can own a book."""
    stmt = select(User).where(User.role == "csm", User.active.is_(True)).order_by(User.name)
    return list(session.scalars(stmt))
