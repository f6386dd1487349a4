"""Create users, sign them in with rate limiting, end their sessions, manage roles."""

import hmac
from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash

from cstier.domain.permissions import ROLES
from cstier.models import ApiToken, LoginAttempt, User
from cstier.models.base import utcnow
from cstier.models.users import new_session_token
from cstier.services import login_limits
from cstier.services.errors import NotFound, ValidationFailed
from cstier.services.login_limits import LoginLimits
from cstier.services.setup import seed_workspace_defaults
from cstier.services.unit_of_work import unit_of_work
from cstier.services.versioning import check_version, guarded_write
from cstier.store.login_counts import DatabaseLoginCounts, LoginCounts

MIN_PASSWORD_LENGTH = 8
# werkzeug's default scrypt hash of a password nobody has, checked for unknown emails.
UNKNOWN_USER_HASH = (
    "scrypt:32768:8:1$LhU6DlJQGni8CZ8r$3a7c0e3c0d71e724a9c6e0a6a8f8563db84b142ce5dc7d8611477ae7e9ab"
    "34984d530467adccf5b0e0829192dd3c2c0fec39427a728d9175fc67f277b80c5dd8"
)


def create_user(
    session: Session, email: str, password: str, role: str, name: str | None = None
) -> User:
    """Create a user with a hashed password; refuse duplicates, unknown roles and weak passwords.

    The first admin sets the workspace up: the default schemes and coverage models are created
    with it, so that no page has to create them when it is first opened.
    """
    with unit_of_work(session):
        email = email.strip().lower()
        errors: dict[str, list[str]] = {}
        if role not in ROLES:
            errors["role"] = [f"Role must be one of {', '.join(ROLES)}."]
        if len(password or "") < MIN_PASSWORD_LENGTH:
            errors["password"] = [f"Password must be at least {MIN_PASSWORD_LENGTH} characters."]
        try:  # alerts and digests are mailed here: the address must be one a server accepts
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            errors["email"] = [f"Enter a valid email address: {exc}"]
        if "email" not in errors and session.scalar(select(User.id).where(User.email == email)):
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
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str | None,
    *,
    limits: LoginLimits,
    counts: LoginCounts | None = None,
    now: datetime | None = None,
) -> User | None:
    """Return the user if the password matches and start a new session; None otherwise.

    Refuses (TooManyAttempts) past the per-(email, address) or per-address limit, and past
    the per-email limit before the email's next turn, except from an address the user has
    signed in from before, so the owner can still sign in. Failures are counted in `counts`
    (Redis shared by the web hosts), else in the database.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    counts = counts or DatabaseLoginCounts(session)
    # Two units of work: the attempt is counted before the password is checked.
    with unit_of_work(session):
        login_limits.count_attempt(
            counts,
            limits,
            email,
            address,
            now,
            signed_in_before=lambda: login_limits.signed_in_from(session, email, address),
        )
    with unit_of_work(session):
        user = session.scalar(select(User).where(User.email == email))
        # Unknown emails check a dummy hash, so they answer as slowly as known ones.
        matches = check_password_hash(user.password_hash if user else UNKNOWN_USER_HASH, password)
        ok = bool(user and user.active and matches)
        session.add(LoginAttempt(email=email, ip_address=address, succeeded=ok, attempted_at=now))
        if ok:
            login_limits.forgive_attempt(counts, email, address)
            login_limits.forget_old_counts(counts, limits, now)
            # A sign-in is not an edit: it leaves the version alone, so it never conflicts.
            session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
            user.signed_in_at = now
    return user if ok else None


def end_sessions(session: Session, user: User) -> None:
    """Sign the user out everywhere: every session and remember cookie stops working."""
    with unit_of_work(session):
        _replace_session_token(session, user)


def _replace_session_token(session: Session, user: User) -> None:
    # Not an edit of the user: a logout must not make an admin's open form of them stale.
    token = new_session_token()
    session.execute(update(User).where(User.id == user.id).values(session_token=token))
    set_committed_value(user, "session_token", token)


def session_user(
    session: Session, session_id: str, max_age: timedelta, now: datetime | None = None
) -> User | None:
    """Return the user of a session id ("<user id>:<token>:<ms>") if current and not too old."""
    parts = (session_id or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    user_id, token, started_ms = parts
    started = datetime.fromtimestamp(int(started_ms) / 1000, UTC)
    if (now or utcnow()) - started > max_age:
        return None
    user = session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    user.signed_in_at = started
    return user


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
    """Change a user's role, name, active flag and optionally password, if nobody saved in between.

    A new role, a new password or deactivation ends every session of the user; deactivation
    also revokes their API tokens.
    """
    with unit_of_work(session):
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
        ends_sessions = role != user.role or active != user.active or new_password is not None
        deactivated = user.active and not active
        with guarded_write(session, "user"):
            user.role, user.active, user.name = role, active, name
            if new_password is not None:
                user.set_password(new_password)
            if ends_sessions:
                user.end_sessions()
        if deactivated:
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
    return user


def set_password(session: Session, email: str, password: str) -> User:
    """Set a user's password by email and end their sessions, as a password change does."""
    with unit_of_work(session):
        email = (email or "").strip().lower()
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise ValidationFailed(
                "The password was not set.", {"email": [f"No user with email {email}."]}
            )
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise ValidationFailed(
                "The password was not set.",
                {"password": [f"Password must be at least {MIN_PASSWORD_LENGTH} characters."]},
            )
        with guarded_write(session, "user"):
            user.set_password(password)
            user.end_sessions()
    return user


def get_user(session: Session, user_id: int) -> User:
    """Return one user, or raise NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def has_users(session: Session) -> bool:
    """Return whether anyone can sign in to this database yet."""
    return session.scalar(select(User.id).limit(1)) is not None


def list_users(session: Session) -> list[User]:
    """Return all users, admins first."""
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def csm_team_size(session: Session) -> int:
    """Return how many active users can own a book."""
    stmt = select(func.count()).select_from(User).where(User.role == "csm", User.active.is_(True))
    return int(session.scalar(stmt) or 0)


def csm_choice(session: Session, user_id: int) -> Row | None:
    """Return the id and name of one active user who can own a book, if there is one."""
    stmt = select(User.id, User.name).where(
        User.id == user_id, User.role == "csm", User.active.is_(True)
    )
    return session.execute(stmt).first()


def csm_choices(session: Session) -> list[Row]:
    """Return the id and name of the active users who can own a book, by name."""
    # Id and name only: a dropdown of thousands of CSMs should not build thousands of Users.
    stmt = select(User.id, User.name).where(User.role == "csm", User.active.is_(True))
    return list(session.execute(stmt.order_by(User.name)))


def find_csms(session: Session, text: str, limit: int) -> list[Row]:
    """Return the id and name of up to `limit` active CSMs whose name or email holds the text."""
    stmt = select(User.id, User.name).where(User.role == "csm", User.active.is_(True))
    if text:
        stmt = stmt.where(
            User.name.icontains(text, autoescape=True) | User.email.icontains(text, autoescape=True)
        )
    return list(session.execute(stmt.order_by(User.name, User.id).limit(limit)))
