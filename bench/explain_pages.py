"""Show where each page's time goes in SQL: its statements, the slowest ones, and their plans.

Usage:
  python bench/explain_pages.py --database-url URL [--only NAME ...] [--explain] [--top 3]
                                [--match TEXT]

Serves the pages of bench/web_pages.py in-process (the same URLs, users and token), records
every statement each request runs with its time, and prints per page the request's time, the
statements' count and total, and the slowest statements. With --explain (PostgreSQL), it also
prints `EXPLAIN (ANALYZE, BUFFERS)` of each page's slowest statement, or of every statement
whose text has `--match`. Read-only: the plans of
statements that write are not analysed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_latency as web  # noqa: E402 - the bench folder is not a package
import web_pages  # noqa: E402


def traced(engine, spent: list) -> None:
    """Record (seconds, statement, parameters) of every statement the engine runs."""

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def finished(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info["started"].pop()
        spent.append((took, statement, parameters))


def signed_in(app, email: str):
    """Return a test client signed in as the user."""
    client = app.test_client()
    answer = client.post("/login", data={"email": email, "password": web.PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"sign-in of {email} failed with {answer.status_code}")
    return client


def explain(engine, statement: str, parameters) -> str:
    """Return the analysed plan of a read statement."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()
    finally:
        raw.close()
    return plan


def main() -> None:
    """Serve each page in-process, print its statements' times and, if asked, their plans."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--only", action="append")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument(
        "--match", help="explain every statement whose text has this (e.g. LIMIT: the lists)"
    )
    args = parser.parse_args()
    env = web.app_env(args.database_url)
    emails = web_pages.identities(args.database_url, env)
    token = web_pages.cli(env, "tokens", "create", emails["admin"], "--name", "explain")
    token = token.splitlines()[-1]
    plan = web_pages.pages(args.database_url)
    if args.only:
        plan = [p for p in plan if any(word in p[0] for word in args.only)]
    from cstier import create_app
    from cstier.extensions import db

    app = create_app(
        test_config={"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False}
    )
    spent: list = []
    with app.app_context():
        engine = db.engine
        traced(engine, spent)
    clients = {who: signed_in(app, emails[who]) for who in ("admin", "manager", "csm")}
    clients["api"] = app.test_client()
    headers = {"api": {"Authorization": f"Bearer {token}"}}
    for name, who, path, budget in plan:
        clients[who].get(path, headers=headers.get(who))  # warm
        spent.clear()
        started = time.perf_counter()
        answer = clients[who].get(path, headers=headers.get(who))
        total = (time.perf_counter() - started) * 1000
        in_sql = sum(s for s, _, _ in spent) * 1000
        print(
            f"\n## {name} ({path}): {answer.status_code}, {total:.0f} ms, budget {budget}; "
            f"{len(spent)} statements, {in_sql:.0f} ms in SQL"
        )
        slowest = sorted(spent, key=lambda s: s[0], reverse=True)[: args.top]
        for seconds, statement, _ in slowest:
            print(f"  {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:400]}")
        if not (args.explain and args.database_url.startswith("postgresql")):
            continue
        chosen = [s for s in spent if args.match in s[1]] if args.match else slowest[:1]
        for _, statement, parameters in chosen:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                with app.app_context():
                    print("```\n" + explain(db.engine, statement, parameters) + "\n```")


if __name__ == "__main__":
    main()
