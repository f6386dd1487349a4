"""Profile pages and API endpoints in-process with pyinstrument, without writing to the database.

Usage:
  python bench/profile_page.py --database-url URL PATH [PATH ...] [--requests 5]
                               [--email bench-admin@example.com] [--html DIR]

Builds the app as a web host does (wsgi.py: serial planning, a frozen collector), signs an
existing admin in by putting their session id in the session cookie (no sign-in is written),
asks each path once to warm up, `--timed` times unprofiled (wall and CPU time), then
`--requests` times under one profiler. An API path is
served as the admin by calling its view with the actor set, so no API token is minted: the
token check (one indexed read) is the only part left out. Prints per path the request times, the
process's CPU time (steadier than wall time on a shared machine), the statements' count and
time per request, and the profile; --html writes each profile too.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

from pyinstrument import Profiler
from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def traced(engine, spent: list) -> None:
    """Record (seconds, statement) of every statement the engine runs."""

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def finished(conn, cursor, statement, parameters, context, executemany):
        spent.append((time.perf_counter() - conn.info["started"].pop(), statement))


def main() -> None:
    """Build the app, sign the admin in and profile each path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=5, help="profiled requests")
    parser.add_argument("--timed", type=int, default=20, help="timed requests, not profiled")
    parser.add_argument("--email", default="bench-admin@example.com")
    parser.add_argument("--top", type=int, default=5, help="slowest statements shown")
    parser.add_argument("--html", type=Path, help="a folder for the HTML profiles")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    os.environ.update(
        CSTIER_ENV="development",
        CSTIER_DATABASE_URL=args.database_url,
        CSTIER_SECRET_KEY=os.environ.get("CSTIER_SECRET_KEY") or secrets.token_hex(32),
    )
    from flask import g

    from cstier import create_app
    from cstier.domain.permissions import Actor
    from cstier.extensions import db
    from cstier.models import User
    from cstier.web.page_database import tune_for_pages

    app = create_app()
    tune_for_pages(app)
    gc.freeze()
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == args.email))
        if admin is None:
            admin = db.session.scalar(
                select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
            )
        session_id = f"{admin.id}:{admin.session_token}:{int(time.time() * 1000)}"
        actor = Actor(user_id=admin.id, role=admin.role)
        spent: list[float] = []
        traced(db.engine, spent)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = session_id, True

    def ask(path: str) -> int:
        if not path.startswith("/api/"):
            return client.get(path).status_code
        with app.test_request_context(path):
            g.actor = actor
            from flask import request

            answer = app.make_response(app.view_functions[request.endpoint](**request.view_args))
            answer = app.process_response(answer)
            db.session.remove()
            return answer.status_code

    for path in args.paths:
        status = ask(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        spent.clear()
        times, cpu = [], []
        for _ in range(args.timed):
            started, used = time.perf_counter(), time.process_time()
            ask(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        per = args.timed
        print(
            f"\n=== {path}: wall median {statistics.median(times):.1f} ms, "
            f"min {min(times):.1f} ms; this process's CPU median {statistics.median(cpu):.1f} ms; "
            f"{len(spent) / per:.0f} statements, {sum(t for t, _ in spent) * 1000 / per:.1f} ms in SQL "
            f"per request ({per} requests)",
            flush=True,
        )
        by_text: dict[str, float] = {}
        for took, statement in spent:
            by_text[statement] = by_text.get(statement, 0.0) + took
        for statement, took in sorted(by_text.items(), key=lambda item: -item[1])[: args.top]:
            print(f"  {took * 1000 / per:6.1f} ms  {' '.join(statement.split())[:300]}")
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            ask(path)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "root"
            (args.html / f"{name}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
