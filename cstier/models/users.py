"""Users, roles, sign-in sessions and login attempts."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from cstier.extensions import db
from cstier.models.base import TimestampMixin, VersionedMixin, utcnow


def new_session_token() -> str:
    """Return a fresh random session token."""
    return secrets.token_urlsafe(32)


class User(UserMixin, VersionedMixin, TimestampMixin, db.Model):
    """A person who signs in: admin, cs_manager, csm or viewer."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="viewer", index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sign-in cookies carry this token; replacing it ends every session and remember cookie.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    signed_in_at = None  # when the sign-in of this request started; not stored

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session and the remember cookie.

        It holds the session token and the sign-in's start, so that every sign-in has its own
        remember cookie that expires on its own, and a new token ends them all.
        """
        started = self.signed_in_at or utcnow()
        return f"{self.id}:{self.session_token}:{round(started.timestamp() * 1000)}"

    def end_sessions(self) -> None:
        """Replace the session token, so every cookie signed in with the old one stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginAttempt(db.Model):
    """One login attempt, kept to rate-limit guessing across all web workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class LoginFailureCount(db.Model):
    """Failed sign-ins of one scope and key in the current window, counted in one atomic upsert."""

    __tablename__ = "login_failure_count"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # pair, address or email
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the subject
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failures: Mapped[int] = mapped_column(Integer)
