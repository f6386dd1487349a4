"""Load a generated demo book into an empty database in one transaction."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from cstier.domain.demo_book import ATTRIBUTE_COLUMNS, HISTORY_DAYS, DemoBook, generate_book
from cstier.domain.demo_engagement import DemoEngagement, generate_engagement
from cstier.models import (
    Account,
    AccountNeed,
    Company,
    Contact,
    CustomAttribute,
    Department,
    OnboardingMilestone,
    Subscription,
    Touch,
    UsageMetric,
    User,
)
from cstier.models.base import utcnow
from cstier.services.errors import ServiceError
from cstier.services.workspace import get_workspace
from cstier.store.sequences import advance_id_sequences
from cstier.store.table_loads import load_columns

CHUNK_ROWS = 50_000
ACCOUNT_COLUMNS = (
    "id", "external_id", "name", "unit_type", "company_id", "department_id", "csm_id",
    "arr_cents", "plan", "lifecycle_stage", "contract_start_date", "renewal_date",
)  # fmt: skip


class DatabaseNotEmpty(ServiceError):
    """The demo book only loads into a database without accounts and users."""


@dataclass(frozen=True)
class DemoLogin:
    """One demo sign-in, shown once after loading."""

    email: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoResult:
    """What was loaded: row counts per table and the logins."""

    counts: dict[str, int]
    logins: list[DemoLogin]
    # Before the first of the 24 months measured: the demo's tiers are dated then, so
    # every month's segments (as of its start day) have a tier to read.
    history_start: datetime | None = None


def _count(session: Session, table: Table) -> int:
    """Return the number of rows in a table."""
    return session.scalar(select(func.count()).select_from(table)) or 0


def ensure_empty(session: Session) -> None:
    """Refuse to load when the database already has accounts, users or companies."""
    counts = {
        "accounts": _count(session, Account.__table__),
        "users": _count(session, User.__table__),
        "companies": _count(session, Company.__table__),
    }
    if any(counts.values()):
        found = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        raise DatabaseNotEmpty(
            f"The database already has {found}; demo data only "
            "loads into an empty database. Point CSTIER_DATABASE_URL at a new database "
            "(or delete the SQLite file in the instance folder) and run the command again."
        )


def _columns(frame: pd.DataFrame, start: int, stop: int) -> dict[str, list]:
    """Return rows start..stop of a frame as plain Python columns (None for missing, dates as dates)."""
    columns = {}
    for name in frame.columns:
        part = frame[name].iloc[start:stop]
        if pd.api.types.is_datetime64_any_dtype(part):
            part = part.dt.date
        values = part.astype(object)
        columns[name] = values.where(values.notna(), None).tolist()
    return columns


def _attributes(accounts: pd.DataFrame) -> list[dict]:
    """Build each account's attributes dict, leaving out values it does not have."""
    columns = {key: accounts[column].astype(object) for key, column in ATTRIBUTE_COLUMNS.items()}
    frame = pd.DataFrame(columns).astype(object)
    frame = frame.where(frame.notna(), None)
    keys = list(columns)
    return [
        {key: value for key, value in zip(keys, row, strict=True) if value is not None}
        for row in frame.itertuples(index=False, name=None)
    ]


def _insert(session: Session, table: Table, frame: pd.DataFrame, stamp: dict) -> None:
    """Insert every row of the frame, a chunk of columns at a time, streamed where the database can."""
    for start in range(0, len(frame), CHUNK_ROWS):
        columns = _columns(frame, start, start + CHUNK_ROWS)
        size = len(next(iter(columns.values()))) if columns else 0
        load_columns(
            session, table, columns | {name: [value] * size for name, value in stamp.items()}
        )


def _users(book: DemoBook) -> tuple[pd.DataFrame, list[DemoLogin]]:
    """Hash each demo user's password (a dozen users) and keep the plain logins to show."""
    users = book.users
    logins = [
        DemoLogin(email, password, role)
        for email, password, role in users[["email", "password", "role"]].itertuples(
            index=False, name=None
        )
    ]
    hashed = users.drop(columns="password").assign(
        password_hash=[generate_password_hash(login.password) for login in logins], active=True
    )
    return hashed, logins


def _custom_attributes(session: Session, book: DemoBook, stamp: dict) -> int:
    """Define the demo's custom attributes that the workspace does not have yet."""
    existing = set(session.scalars(select(CustomAttribute.key)))
    rows = [{**a, **stamp} for a in book.custom_attributes if a["key"] not in existing]
    if rows:
        session.execute(insert(CustomAttribute.__table__), rows)
    return len(rows)


@dataclass(frozen=True)
class DemoTable:
    """One table the demo fills: its rows, the stamp they take, and who numbers them."""

    table: Table
    rows: pd.DataFrame
    stamp: dict
    numbered: bool  # the rows carry their ids; otherwise the database numbers them


def demo_tables(
    book: DemoBook, engagement: DemoEngagement, users: pd.DataFrame, now: datetime
) -> list[DemoTable]:
    """Return the tables a demo book fills, in load order, with their rows as frames."""
    stamp = {"created_at": now, "updated_at": now}
    account_rows = book.accounts.loc[:, list(ACCOUNT_COLUMNS)].assign(
        attributes=_attributes(book.accounts), version=1, contact_id=None
    )
    # Parents before subsidiaries, so every parent_id already exists when checked.
    companies = book.companies.sort_values("parent_id", na_position="first", kind="stable")
    numbered = [
        (User.__table__, users),
        (Company.__table__, companies),
        (Department.__table__, book.departments),
        (Contact.__table__, book.contacts),
        (Account.__table__, account_rows),
        (AccountNeed.__table__, book.needs),
        (Subscription.__table__, book.subscriptions),
    ]
    # Signals for health and onboarding; the database numbers their rows.
    signals = [
        (OnboardingMilestone.__table__, engagement.milestones, stamp),
        (UsageMetric.__table__, engagement.usage, {}),
        (Touch.__table__, engagement.touches, stamp),
    ]
    return [DemoTable(table, rows, stamp, True) for table, rows in numbered] + [
        DemoTable(table, rows, stamped, False) for table, rows, stamped in signals
    ]


def load_demo(session: Session, accounts: int, seed: int, as_of: date | None = None) -> DemoResult:
    """Generate a demo book and insert it into an empty database in one transaction."""
    ensure_empty(session)
    book = generate_book(accounts, seed, as_of=as_of or utcnow().date())
    engagement = generate_engagement(book.accounts, seed, as_of or utcnow().date())
    now = utcnow()
    users, logins = _users(book)
    tables = demo_tables(book, engagement, users, now)
    try:
        get_workspace(session)
        attributes = _custom_attributes(session, book, {"created_at": now, "updated_at": now})
        for part in tables:
            _insert(session, part.table, part.rows, part.stamp)
        advance_id_sequences(session, [part.table for part in tables if part.numbered])
        session.commit()
    except Exception:
        session.rollback()
        raise
    counts = {part.table.name: len(part.rows) for part in tables}
    first_day = (as_of or utcnow().date()) - timedelta(days=HISTORY_DAYS + 70)
    history_start = datetime.combine(first_day, time(6), tzinfo=UTC)
    return DemoResult(
        counts={**counts, "custom_attribute": attributes},
        logins=logins,
        history_start=history_start,
    )
