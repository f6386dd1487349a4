"""Time a full tiering run (all schemes, ~5 % of tiers changing) against an ORM loop and the floor.

Usage:
  python bench/bench_tiering_run.py [--accounts 1000000] [--database-url URL] [--reuse]
                                    [--no-owners]

The book has owners, as a CS team's has (see PER_HIGH_TOUCH_CSM): a run then flags the owned
accounts whose coverage model changes and suggests their new owners. `--no-owners` leaves
them out. The default database is a SQLite file in the temp folder; pass
`postgresql+psycopg://…` for PostgreSQL (the schema there is dropped and rebuilt).
Each phase runs in its own process so the peak memory reported is that phase's.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE = 50_000
PHASES = ("build", "first", "owners", "change", "orm", "floor", "run")
# Owners given after the first run, when every account has its coverage model: CSMs own
# the high-touch accounts at 42 each (85 % of the default ratio of 50), pools of ten CSMs
# take the pooled ones, and a tech-touch team of one CSM per 20,000 accounts owns none yet.
PER_HIGH_TOUCH_CSM, POOLS, POOL_MEMBERS, ACCOUNTS_PER_TECH_TOUCH_CSM = 42, 20, 10, 20_000
STAMP = "2026-01-01 00:00:00.000000"
INDUSTRIES = np.array(["Software", "Financial services", "Healthcare", "Retail", "Energy"])
REGIONS = np.array(["NA", "EMEA", "APAC", "LATAM", "MEA"])
COMPLEXITY = np.array(["low", "medium", "high"])


def peak_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**values) -> None:
    """Hand a phase's figures to the parent process on one line."""
    print("RESULT " + json.dumps(values), flush=True)


def make_app(url: str):
    """Return an app bound to the benchmark database."""
    from cstier import create_app

    return create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def is_postgres(url: str) -> bool:
    """Tell PostgreSQL URLs from SQLite ones."""
    return url.startswith("postgresql")


def dbapi_connect(url: str):
    """Open a raw DBAPI connection (sqlite3 or psycopg) for bulk statements."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if is_postgres(url):
        import psycopg

        return psycopg.connect(parsed.set(drivername="postgresql").render_as_string(False))
    import sqlite3

    return sqlite3.connect(parsed.database)


# --- building the book -------------------------------------------------------------------


def attributes_json(rng: np.random.Generator, rows: int) -> list[str]:
    """Return each account's needs signals as JSON text (the attributes column)."""
    needs = rng.integers(0, 6, rows).tolist()
    complexity = COMPLEXITY[rng.integers(0, 3, rows)].tolist()
    products = rng.integers(1, 6, rows).tolist()
    seats = rng.integers(1, 1200, rows).tolist()
    tickets = rng.integers(0, 25, rows).tolist()
    return [
        f'{{"validated_need_count": {n}, "onboarding_complexity": "{c}", "product_count": {p}, '
        f'"seats": {s}, "support_tickets_per_month": {t}}}'
        for n, c, p, s, t in zip(needs, complexity, products, seats, tickets, strict=True)
    ]


def book_frames(accounts: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return company and account rows, columns in table order, as plain frames."""
    rng = np.random.default_rng(seed)
    companies = max(1, accounts // 2)
    company = pd.DataFrame(
        {
            "id": np.arange(1, companies + 1),
            "external_id": [f"CO-{i}" for i in range(1, companies + 1)],
            "name": [f"Company {i}" for i in range(1, companies + 1)],
            "industry": INDUSTRIES[rng.integers(0, len(INDUSTRIES), companies)],
            "region": REGIONS[rng.integers(0, len(REGIONS), companies)],
            "country": "DE",
            "employees": rng.lognormal(5.5, 1.6, companies).astype(np.int64),
            "created_at": STAMP,
            "updated_at": STAMP,
        }
    )
    account = pd.DataFrame(
        {
            "id": np.arange(1, accounts + 1),
            "external_id": [f"AC-{i}" for i in range(1, accounts + 1)],
            "name": [f"Account {i}" for i in range(1, accounts + 1)],
            "unit_type": "company",
            "company_id": rng.integers(1, companies + 1, accounts),
            "arr_cents": (np.rint(rng.lognormal(10.5, 1.4, accounts)) * 100).astype(np.int64),
            "plan": "Pro",
            "lifecycle_stage": "active",
            "attributes": attributes_json(rng, accounts),
            "version": 1,
            "created_at": STAMP,
            "updated_at": STAMP,
        }
    )
    return company, account


def reset_schema(url: str) -> None:
    """Start from an empty database built by the migrations."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from cstier.extensions import db

    if not is_postgres(url):
        Path(make_url_path(url)).unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        if is_postgres(url):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


def make_url_path(url: str) -> str:
    """Return the file of a SQLite URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


def bulk_load(url: str, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame fast: COPY on PostgreSQL, one executemany transaction on SQLite."""
    columns = ", ".join(frame.columns)
    conn = dbapi_connect(url)
    try:
        if is_postgres(url):
            buffer = io.StringIO()
            # COPY text format: no quoting; a backslash escapes the quotes inside JSON.
            frame.to_csv(
                buffer, sep="\t", header=False, index=False, na_rep="\\N",
                quoting=csv.QUOTE_NONE, escapechar="\\",
            )  # fmt: skip
            with conn.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(frame) + 1}, false)"
                )
                cursor.execute(f"ANALYZE {table}")
        else:
            marks = ", ".join("?" * len(frame.columns))
            rows = frame.itertuples(index=False, name=None)
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        conn.commit()
    finally:
        conn.close()


def phase_build(url: str, accounts: int) -> None:
    """Build the schema and bulk-load companies and accounts."""
    started = time.perf_counter()
    reset_schema(url)
    company, account = book_frames(accounts)
    generated = time.perf_counter()
    bulk_load(url, "company", company)
    bulk_load(url, "account", account)
    loaded = time.perf_counter()
    print(
        f"build: {accounts:,} accounts, {len(company):,} companies; generate "
        f"{generated - started:.1f} s, bulk load {loaded - generated:.1f} s"
    )


# --- the runs ----------------------------------------------------------------------------


# Where a run spends its time: (module, attribute, owner class or None, label).
STAGES = [
    ("cstier.services.tiering.snapshot", "load_book", None, "read book"),
    ("cstier.services.tiering.snapshot", "read_current_tiers", None, "read tiers"),
    ("cstier.services.tiering.snapshot", "stored_coverage", None, "read coverage"),
    ("cstier.services.tiering.run", "propose", None, "evaluate"),
    ("cstier.services.tiering.run", "_stage", None, "evaluate"),
    ("cstier.services.tiering.changes", "flush", "ChangeBatch", "write tiers + history"),
    ("cstier.services.tiering.run", "apply_coverage", None, "coverage"),
]


def time_stages(stages: list[tuple[str, str, str | None, str]] = STAGES) -> dict[str, float]:
    """Wrap stages so each adds its wall time to the returned dict (bench only).

    Each stage is (module, attribute, owner class or None, label): the run's by default.
    """
    import functools
    import importlib

    spent: dict[str, float] = {}

    def timed(function, label):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    for module_name, name, owner_name, label in stages:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, name, timed(getattr(owner, name), label))
    return spent


def timed_run(url: str, label: str) -> None:
    """Run a full re-tier through the service and report wall time and peak memory."""
    from sqlalchemy.orm import configure_mappers

    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.tiering.retier import retier_book
    from cstier.services.tiering.schemes import ensure_default_schemes

    spent = time_stages()
    app = make_app(url)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect outside the timing
        ensure_default_schemes(db.session)  # a run needs its workspace's schemes; set-up makes them
        db.session.commit()
        # A server process configures the ORM's mappers once, at its first query; here
        # that would be the run's first ORM statement (0.16-0.25 s), so do it beforehand.
        configure_mappers()
        before = peak_mb()
        # The machine's speed drifts, within a session and between them: the loop just
        # before and after the run tells which speed its figure was taken at.
        loops = [calibration()]
        started = time.perf_counter()
        summary = retier_book(db.session, SYSTEM_ACTOR, trigger="bench")
        elapsed = time.perf_counter() - started
        loops.append(calibration())
        spent["other (runs, overrides, commit)"] = elapsed - sum(spent.values())
        changes = sum(summary.changes.values())
        share = changes / max(1, len(summary.changes) * summary.accounts_evaluated)
        print(
            f"{label}: {elapsed:.2f} s, {summary.accounts_evaluated:,} accounts, "
            f"{changes:,} tiers changed ({share:.1%} of all) {summary.changes}; "
            f"peak RSS {peak_mb():.0f} MB "
            f"(process before run {before:.0f} MB); "
            f"calibration loop {loops[0]:.2f} s before, {loops[1]:.2f} s after"
        )
        print(
            "  stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in spent.items())
        )
        report(seconds=elapsed, changes=changes, peak_mb=peak_mb())


def settle(url: str) -> None:
    """Let PostgreSQL's autovacuum catch up on the last run, as it would between nightly runs.

    The benchmark runs phases minutes apart; in production a day passes, and autovacuum
    (scale factor 0.02 on account_coverage, migration 0008) has long
    vacuumed and analysed the last run's changes. Without this, a run right after the
    first one meets tables with no statistics and an empty visibility map.
    """
    if not is_postgres(url):
        return
    conn = dbapi_connect(url)
    conn.autocommit = True
    try:
        conn.execute("VACUUM ANALYZE")
    finally:
        conn.close()


def calibration() -> float:
    """Time a fixed CPU loop (3M Python additions, a 5M-float sort): the machine's speed now.

    This machine's speed drifts within a session: the figures of a run are comparable with
    another's only beside this one.
    """
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number
    np.sort(np.random.default_rng(1).random(5_000_000))
    return time.perf_counter() - started


def server_settings(url: str) -> str:
    """Describe the PostgreSQL settings that decide bulk-write speed, for the record."""
    if not is_postgres(url):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    conn = dbapi_connect(url)
    try:
        names = ("shared_buffers", "max_wal_size", "wal_compression", "synchronous_commit")
        shown = [f"{n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in names]
        version = conn.execute("SHOW server_version").fetchone()[0]
    finally:
        conn.close()
    return f"PostgreSQL {version}: {', '.join(shown)}"


def phase_change(url: str) -> None:
    """Move ~5 % of accounts across a band in every dimension (not timed)."""
    settle(url)
    conn = dbapi_connect(url)
    try:
        cursor = conn.cursor()
        # Value: across the Strategic (≥ 250k) / Scale (< 50k) edges, clear of the 5 % margin.
        cursor.execute(
            "UPDATE account SET arr_cents = CASE WHEN arr_cents >= 5000000 THEN 1000000 "
            "ELSE 40000000 END WHERE id % 20 = 0"
        )
        # Size, region and vertical: their company's firmographics change (5 % of companies).
        cursor.execute(
            "UPDATE company SET employees = CASE WHEN employees >= 200 THEN 50 ELSE 5000 END, "
            "region = CASE WHEN region = 'NA' THEN 'EMEA' ELSE 'NA' END, "
            "industry = CASE WHEN industry = 'Software' THEN 'Retail' ELSE 'Software' END "
            "WHERE id % 20 = 1"
        )
        # Needs: another 10 % of accounts report new signals; about half of them cross a band.
        ids = list(range(2, count_accounts(cursor) + 1, 10))
        rng = np.random.default_rng()
        texts = attributes_json(rng, len(ids))
        mark = "%s" if is_postgres(url) else "?"
        cursor.executemany(
            f"UPDATE account SET attributes = {mark} WHERE id = {mark}",
            list(zip(texts, ids, strict=True)),
        )
        conn.commit()
        if is_postgres(url):
            # A day's edits are long checkpointed by the nightly run: do not let the
            # checkpointer write this phase's pages back while the run is being timed.
            conn.execute("CHECKPOINT")
    finally:
        conn.close()
    print("change: ARR, firmographics and needs signals moved; ~5 % of all tiers cross a band")


def phase_owners(url: str) -> None:
    """Give the book its owners, as a CS team has them (not timed)."""
    from sqlalchemy import select, text

    from cstier.extensions import db
    from cstier.models import CoverageModel, CsmProfile, Pool, User

    app = make_app(url)
    with app.app_context():
        session = db.session
        models = dict(session.execute(select(CoverageModel.key, CoverageModel.id)).all())
        high_touch, accounts = session.execute(
            text(
                "SELECT SUM(CASE WHEN coverage_model_id = :model THEN 1 ELSE 0 END), COUNT(*) "
                "FROM account_coverage"
            ),
            {"model": models["high_touch"]},
        ).one()
        csms = -(-int(high_touch) // PER_HIGH_TOUCH_CSM)
        teams = [("high_touch", csms), ("pooled", POOLS * POOL_MEMBERS)]
        teams.append(("tech_touch", -(-int(accounts) // ACCOUNTS_PER_TECH_TOUCH_CSM)))
        ids: dict[str, list[int]] = {}
        for key, size in teams:
            users = [
                User(email=f"{key}.{n}@bench.example", name=f"CSM {key} {n}", role="csm",
                     password_hash="!", active=True)
                for n in range(size)
            ]  # fmt: skip
            session.add_all(users)
            session.flush()
            ids[key] = [u.id for u in users]
            session.add_all(
                CsmProfile(user_id=u.id, fte=1, regions=[], verticals=[], languages=[],
                           coverage_model_keys=[key])
                for u in users
            )  # fmt: skip
        pools = [
            Pool(name=f"Pool {n}", coverage_model_id=models["pooled"],
                 member_ids=ids["pooled"][n * POOL_MEMBERS : (n + 1) * POOL_MEMBERS])
            for n in range(POOLS)
        ]  # fmt: skip
        session.add_all(pools)
        session.flush()
        first_csm, first_pool = ids["high_touch"][0], pools[0].id
        session.execute(
            text(
                f"UPDATE account SET csm_id = {first_csm} + id % {csms} WHERE id IN "
                "(SELECT account_id FROM account_coverage WHERE coverage_model_id = :model)"
            ),
            {"model": models["high_touch"]},
        )
        session.execute(
            text(
                f"UPDATE account_coverage SET pool_id = {first_pool} + account_id % {POOLS} "
                "WHERE coverage_model_id = :model"
            ),
            {"model": models["pooled"]},
        )
        session.commit()
        owned = session.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM account WHERE csm_id IS NOT NULL), "
                "(SELECT COUNT(*) FROM account_coverage WHERE pool_id IS NOT NULL)"
            )
        ).one()
    print(
        f"owners: {owned[0]:,} high-touch accounts owned by {csms:,} CSMs, {owned[1]:,} "
        f"pooled accounts in {POOLS} pools, {len(ids['tech_touch'])} tech-touch CSMs"
    )


def count_accounts(cursor) -> int:
    """Return the number of accounts (ids are dense from 1)."""
    cursor.execute("SELECT COUNT(*) FROM account")
    return int(cursor.fetchone()[0])


def phase_orm(url: str, sample: int) -> None:
    """Do the run's work one ORM object at a time on a sample, then roll it back."""
    from cstier.extensions import db

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        evaluated, changes = orm_retier(db.session, sample)
        elapsed = time.perf_counter() - started
        db.session.rollback()
        total = count_accounts(db.session.connection().connection.cursor())
        print(
            f"orm loop: {elapsed:.2f} s for {evaluated:,} accounts ({changes:,} changes); "
            f"extrapolated to {total:,}: {elapsed * total / evaluated:.1f} s"
        )
        report(seconds=elapsed * total / evaluated)


def phase_floor(url: str) -> None:
    """Read only the needed columns and write only the changed rows in bulk, no evaluation."""
    from cstier.extensions import db

    app = make_app(url)
    with app.app_context():
        read, write, changes = floor_run(db.session, url)
        print(
            f"floor: read {read:.2f} s + write {changes:,} changed rows {write:.2f} s "
            f"= {read + write:.2f} s"
        )
        report(seconds=read + write)


# --- (a) the per-row ORM loop ------------------------------------------------------------

OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
}


def row_tier(scheme, values: dict, current: str | None) -> tuple[str, str]:
    """Evaluate one scheme for one account in plain Python (bands, needs score, rules)."""
    from cstier.domain.tiering import BandScheme, NeedsScheme

    if isinstance(scheme, BandScheme):
        arr = values["arr"]
        band = next(b for b in scheme.bands if b.min is None or arr >= b.min)
        margin = (scheme.hysteresis.margin_pct or 0) / 100 if scheme.hysteresis else 0
        held = next((b for b in scheme.bands if b.tier == current), None)
        if held is not None and held is not band:
            low = held.min * (1 - margin) if held.min is not None else float("-inf")
            high = held.max * (1 + margin) if held.max is not None else float("inf")
            if low <= arr < high:
                return held.tier, f"Kept {held.tier}: within margin — ARR {arr:,.0f}"
        return band.tier, f"ARR {arr:,.0f} → {band.tier}"
    if isinstance(scheme, NeedsScheme):
        parts, weight = 0.0, 0.0
        for component in scheme.components:
            raw = values.get(component.field)
            if raw is None:
                continue
            if component.mapping is not None:
                value = component.mapping.get(raw)
            else:
                value = min(max((raw - component.min) / (component.max - component.min), 0), 1)
            if value is not None:
                parts, weight = parts + value * component.weight, weight + component.weight
        score = round(100 * parts / weight, 1) if weight else None
        if score is None:
            return scheme.default, "No needs inputs"
        band = next(b for b in scheme.thresholds if b.min is None or score >= b.min)
        return band.tier, f"Needs score {score} → {band.tier}"
    for rule in scheme.rules:
        if all(OPS[c.op](values.get(c.field), c.value) for c in rule.conditions):
            return rule.tier, f"{rule.name} → {rule.tier}"
    return scheme.default, f"No rule matched → default {scheme.default}"


def orm_retier(session, sample: int) -> tuple[int, int]:
    """Re-tier `sample` accounts one ORM object at a time: load, evaluate, compare, write."""
    from sqlalchemy import select

    from cstier.models import Account, OutboxEvent, TierChange
    from cstier.models.base import utcnow
    from cstier.services.tiering.schemes import active_schemes, validate
    from cstier.store.tier_blocks import account_tiers, store_tiers

    now = utcnow()
    schemes = [(s, validate(session, s.current.definition)) for s in active_schemes(session)]
    changes = 0
    ids = session.scalars(select(Account.id).order_by(Account.id).limit(sample)).all()
    for account_id in ids:
        account = session.get(Account, account_id)
        values = {
            **(account.attributes or {}),
            "arr": account.arr_cents / 100,
            "employees": account.company.employees,
            "region": account.company.region,
            "industry": account.company.industry,
        }
        held = account_tiers(session, account.id)  # its current tier in every scheme
        for scheme, parsed in schemes:
            before = held[scheme.id][0] if scheme.id in held else None
            tier, explanation = row_tier(parsed, values, before)
            if before == tier:
                continue
            store_tiers(session, scheme.id, [account.id], [tier])
            session.add(
                TierChange(
                    account_id=account.id, scheme_id=scheme.id, dimension=scheme.dimension,
                    from_tier=before, to_tier=tier, at=now, reason="rule",
                    scheme_version=scheme.current_version, explanation=explanation,
                )
            )  # fmt: skip
            changes += 1
        session.flush()
        session.expunge_all()  # keep the identity map from growing like a real batch job would
    session.add(OutboxEvent(topic="tiers.changed", payload={"alerts": changes}))
    session.flush()
    return len(ids), changes


# --- (b) the floor -----------------------------------------------------------------------


def floor_run(session, url: str) -> tuple[float, float, int]:
    """Time reading the needed columns and bulk-writing the run's changes, then roll back."""
    from cstier.domain.tiering import input_columns
    from cstier.models.base import utcnow
    from cstier.services.tiering.run import propose
    from cstier.services.tiering.schemes import active_schemes, validate
    from cstier.services.tiering.snapshot import read_snapshot

    now = utcnow()
    schemes = active_schemes(session)
    parsed = {s.id: validate(session, s.current.definition) for s in schemes}
    snapshot = read_snapshot(session, parsed, now, committed=False, for_write=False)
    outcomes = [  # only to learn which rows change
        propose(
            s,
            parsed[s.id],
            s.current_version,
            snapshot.accounts,
            *snapshot.take(s.id),
            snapshot.churned,
            now,
        )
        for s in schemes
    ]
    keys = [
        (int(a), o.scheme.id, str(t))
        for o in outcomes
        for a, t in zip(o.changes["account_id"], o.changes["to_tier"], strict=True)
    ]
    parsed = [input_columns(_parsed(session, o.scheme)) for o in outcomes]
    session.rollback()
    conn = dbapi_connect(url)
    try:
        cursor = conn.cursor()
        started = time.perf_counter()
        cursor.execute(floor_select(set().union(*parsed), is_postgres(url)))
        book = cursor.fetchall()
        # Current tiers are packed per scheme (migration 0017): the floor reads the blocks.
        cursor.execute("SELECT scheme_id, block, tiers FROM tier_block")
        blocks = cursor.fetchall()
        read = time.perf_counter() - started
        del book
        started = time.perf_counter()
        floor_write(cursor, keys, blocks, is_postgres(url))
        write = time.perf_counter() - started
        conn.rollback()
    finally:
        conn.close()
    return read, write, len(keys)


def _parsed(session, scheme):
    from cstier.services.tiering.schemes import validate

    return validate(session, scheme.current.definition)


def floor_select(columns: set[str], postgres: bool) -> str:
    """Return the one SELECT of the columns the schemes read (attributes via JSON paths)."""
    table = {"arr": "a.arr_cents", "employees": "c.employees", "region": "c.region",
             "industry": "c.industry"}  # fmt: skip
    picked = []
    for name in sorted(columns):
        if name in table:
            picked.append(table[name])
        elif postgres:
            picked.append(f"a.attributes ->> '{name}'")
        else:
            picked.append(f"json_extract(a.attributes, '$.{name}')")
    return f"SELECT a.id, {', '.join(picked)} FROM account a JOIN company c ON c.id = a.company_id"


def floor_write(cursor, keys: list[tuple[int, int, str]], blocks: list, postgres: bool) -> None:
    """Rewrite the tier blocks, write history rows and the run's outbox event, in bulk.

    ~5 % of each scheme's tiers change, spread over the book, so every block is rewritten.
    """
    now = datetime.now(UTC)
    mark = "%s" if postgres else "?"
    cursor.executemany(
        f"UPDATE tier_block SET tiers = {mark} WHERE scheme_id = {mark} AND block = {mark}",
        [(bytes(tiers), scheme_id, block) for scheme_id, block, tiers in blocks],
    )
    history = [(a, s, "value", t, now, "rule", "") for a, s, t in keys]
    # One outbox event announces the run; its history rows are the alerts.
    events = [("tiers.changed", json.dumps({"run_id": 1, "alerts": len(keys)}), now)]
    if postgres:
        history_copy = "COPY tier_change (account_id, scheme_id, dimension, to_tier, at, reason, explanation) FROM STDIN"
        with cursor.copy(history_copy) as copy:
            for row in history:
                copy.write_row(row)
        with cursor.copy("COPY outbox_event (topic, payload, created_at) FROM STDIN") as copy:
            for row in events:
                copy.write_row(row)
        return
    cursor.executemany(
        "INSERT INTO tier_change (account_id, scheme_id, dimension, to_tier, at, reason, "
        "explanation) VALUES (?, ?, ?, ?, ?, ?, ?)",
        history,
    )
    cursor.executemany(
        "INSERT INTO outbox_event (topic, payload, created_at) VALUES (?, ?, ?)", events
    )


# --- driver ------------------------------------------------------------------------------


def run_phase(phase: str, args: argparse.Namespace) -> dict:
    """Run one phase in a fresh process and return what it reported."""
    command = [sys.executable, __file__, "--phase", phase, "--database-url", args.database_url]
    command += ["--accounts", str(args.accounts), "--sample", str(args.sample)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    result = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
        else:
            print(line, flush=True)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"phase {phase} failed")
    return result


def main() -> None:
    """Parse options, then build, first-run, change, and measure ORM loop, floor and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=SAMPLE)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep the built and tiered book")
    parser.add_argument(
        "--no-owners", action="store_true", help="leave every account unowned (no flags)"
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.database_url = args.database_url or (
        f"sqlite:///{Path(tempfile.gettempdir()) / f'cstier_bench_{args.accounts}.sqlite'}"
    )
    if args.phase:
        {
            "build": lambda: phase_build(args.database_url, args.accounts),
            "first": lambda: timed_run(args.database_url, "first run (all new tiers)"),
            "owners": lambda: phase_owners(args.database_url),
            "change": lambda: phase_change(args.database_url),
            "orm": lambda: phase_orm(args.database_url, args.sample),
            "floor": lambda: phase_floor(args.database_url),
            "run": lambda: timed_run(args.database_url, "re-tier run (~5 % changing)"),
        }[args.phase]()
        return
    print(
        f"{server_settings(args.database_url)}; {args.accounts:,} accounts, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"calibration loop {calibration():.2f} s"
    )
    if not args.reuse:
        run_phase("build", args)
        run_phase("first", args)
        if not args.no_owners:
            run_phase("owners", args)
    # The change toggles values, so a reused book gets a fresh ~5 % of moves each time.
    run_phase("change", args)
    orm = run_phase("orm", args)
    floor = run_phase("floor", args)
    run = run_phase("run", args)
    print(
        f"\nre-tier {run['seconds']:.2f} s, peak {run['peak_mb']:.0f} MB; "
        f"ORM loop / run = {orm['seconds'] / run['seconds']:.1f}x (goal ≥ 5x); "
        f"run / floor = {run['seconds'] / floor['seconds']:.1f}x (goal ≤ 3x)"
    )


if __name__ == "__main__":
    main()
