"""Time alert delivery: webhooks/s, emails/s, a digest for 1,000 users, and a re-tier with rules.

Usage:
  python bench/bench_delivery.py [--database-url URL] [--webhooks 2000] [--emails 500]
                                 [--digest-users 1000] [--retier-accounts 100000] [--skip-retier]

Webhooks go to a threaded HTTP receiver on 127.0.0.1, emails to an aiosmtpd server on
127.0.0.1; both are started here. The re-tier moves half of a book of `--retier-accounts`
accounts across a value band (50,000 moves by default), once with no alert rule, no
subscriber and no endpoint, once with the default rules, three managers, a subscriber per
rule kind and a webhook endpoint; then it times the dispatch of that run's event. The
default database is a SQLite file in the temp folder; a PostgreSQL URL is dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Receiver(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    received = 0


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's hook name
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def make_app(url: str):
    """Return an app on the benchmark database that may call 127.0.0.1."""
    from cstier import create_app

    return create_app(
        test_config={
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
            "MAIL_SERVER": "127.0.0.1",
        }
    )


def _deliveries(session, rows: list[dict]) -> None:
    from cstier.models import Delivery
    from cstier.store.claims import insert_missing

    insert_missing(session, Delivery.__table__, rows, ["key"])
    session.commit()


def _row(key, channel, target, endpoint_id, payload) -> dict:
    from cstier.services.alerts_delivery.dispatch import _delivery

    return _delivery(key, channel, target, endpoint_id, payload, NOW)


def _drain(session) -> tuple[int, float]:
    from cstier.services.alerts_delivery import deliver_due

    sent, started = 0, time.perf_counter()
    while (summary := deliver_due(session, NOW, "bench", limit=500)).claimed:
        sent += summary.sent
    return sent, time.perf_counter() - started


def bench_webhooks(app, count: int) -> str:
    """Send `count` signed webhooks to a local receiver and return the rate."""
    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint

    server = _Receiver(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with app.app_context():
        endpoint, _ = create_endpoint(
            db.session, SYSTEM_ACTOR, EndpointInput("bench", url, ["tier.changed"])
        )
        body = {"body": '{"type":"tier.changed","data":{"account_id":1}}'}
        _deliveries(
            db.session, [_row(f"bench-hook:{n}", "webhook", url, endpoint.id, body) for n in range(count)]
        )  # fmt: skip
        sent, seconds = _drain(db.session)
    server.shutdown()
    return f"webhooks: {sent:,} sent in {seconds:.2f} s = {sent / seconds:,.0f}/s (goal ≥ 200/s)"


def bench_emails(app, count: int) -> str:
    """Send `count` alert emails to a local aiosmtpd server and return the rate."""
    from aiosmtpd.controller import Controller

    from cstier.extensions import db

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Sink.received += 1
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd needs a port it can name up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_PORT"] = port
    with app.app_context():
        payload = {"subject": "Alert", "text": "Acme moved.", "html": "<p>Acme moved.</p>"}
        _deliveries(
            db.session,
            [_row(f"bench-mail:{n}", "email", f"u{n}@example.com", None, payload) for n in range(count)],
        )  # fmt: skip
        sent, seconds = _drain(db.session)
    controller.stop()
    return f"emails: {sent:,} sent in {seconds:.2f} s = {sent / seconds:,.0f}/s (goal ≥ 50/s)"


def bench_digest(app, users: int, per_user: int = 5) -> str:
    """Build the daily digest of `users` users with `per_user` notifications each."""
    from sqlalchemy import insert

    from cstier.extensions import db
    from cstier.models import Notification, User
    from cstier.services.alerts_delivery import send_digests

    with app.app_context():
        db.session.execute(
            insert(User),
            [{"email": f"digest{n}@example.com", "name": f"Digest {n}", "role": "cs_manager",
              "password_hash": "x", "active": True, "session_token": f"t{n}"} for n in range(users)],
        )  # fmt: skip
        db.session.commit()
        ids = [u.id for u in db.session.scalars(db.select(User).where(User.email.like("digest%")))]
        db.session.execute(
            insert(Notification),
            [{"user_id": u, "change_key": f"tier_change:{u * 10 + k}", "title": f"Acme {k}: Growth → Scale",
              "body": "ARR 40,000 < 50,000 → Scale", "cause": "Data change", "in_app": True,
              "digest": "daily", "created_at": NOW} for u in ids for k in range(per_user)],
        )  # fmt: skip
        db.session.commit()
        started = time.perf_counter()
        summary = send_digests(db.session, NOW, "daily")
        seconds = time.perf_counter() - started
    return (
        f"digest: {summary.digests:,} users, {summary.notifications:,} notifications "
        f"queued in {seconds:.2f} s (goal ≤ 10 s)"
    )


def bench_retier(url: str, accounts: int) -> list[str]:
    """Time a re-tier moving half the book without, then with alert rules; then its dispatch."""
    import bench_tiering_run as tiering

    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.alerts_delivery import dispatch_events
    from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint
    from cstier.services.alerts_delivery.rules import RuleInput, save_rule
    from cstier.services.setup import set_up_workspace
    from cstier.services.tiering.retier import retier_book

    tiering.phase_build(url, accounts)
    app = make_app(url)
    lines = []

    def move(flip: bool) -> None:
        conn = tiering.dbapi_connect(url)
        # Every other account crosses the Strategic/Scale edge, one way then back.
        conn.cursor().execute(
            "UPDATE account SET arr_cents = "
            + ("40000000" if flip else "1000000")
            + " WHERE id % 2 = 0"
        )
        conn.commit()
        conn.close()
        tiering.settle(url)

    def timed_run() -> tuple[float, int]:
        started = time.perf_counter()
        summary = retier_book(db.session, SYSTEM_ACTOR, trigger="bench")
        return time.perf_counter() - started, summary.changes.get("value_tiers", 0)

    with app.app_context():
        from sqlalchemy import insert

        from cstier.models import OutboxEvent, User

        set_up_workspace(db.session)
        move(True)
        retier_book(db.session, SYSTEM_ACTOR, trigger="bench")  # the first tiering: no alerts
        # The same two moves (down, then back up), without and then with rules.
        move(False)
        plain = [timed_run()]
        move(True)
        plain.append(timed_run())
        db.session.execute(db.update(OutboxEvent).values(dispatched_at=NOW))  # not these
        db.session.commit()
        db.session.execute(
            insert(User),
            [{"email": f"m{n}@example.com", "name": f"M {n}", "role": role, "password_hash": "x",
              "active": True, "session_token": f"m{n}"}
             for n, role in enumerate(["cs_manager"] * 3 + ["csm"] * 20)],
        )  # fmt: skip
        db.session.commit()
        save_rule(db.session, SYSTEM_ACTOR, RuleInput("EMEA moves", "any_move", region="EMEA"))
        server = _Receiver(("127.0.0.1", 0), _Handler)
        create_endpoint(
            db.session, SYSTEM_ACTOR,
            EndpointInput("hook", f"http://127.0.0.1:{server.server_address[1]}/h", ["tier.changed"]),
        )  # fmt: skip
        server.server_close()
        move(False)
        ruled = [timed_run()]
        started = time.perf_counter()
        dispatched = dispatch_events(db.session, NOW)
        dispatch = time.perf_counter() - started
        move(True)
        ruled.append(timed_run())
    without, with_rules = sum(t for t, _ in plain), sum(t for t, _ in ruled)
    lines.append(
        f"re-tier of {accounts:,} accounts, two runs moving {plain[0][1]:,} and {plain[1][1]:,} "
        f"value tiers: without rules {plain[0][0]:.2f} + {plain[1][0]:.2f} s; with rules, "
        f"subscribers and an endpoint {ruled[0][0]:.2f} + {ruled[1][0]:.2f} s "
        f"= {with_rules / without:.2f}× (goal ≤ 1.2×)"
    )
    lines.append(
        f"dispatch of one run's event ({ruled[0][1]:,} moves): {dispatched.notifications:,} "
        f"notifications, {dispatched.deliveries:,} deliveries in {dispatch:.2f} s (outside the run)"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--digest-users", type=int, default=1000)
    parser.add_argument("--retier-accounts", type=int, default=100_000)
    parser.add_argument("--skip-retier", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cstier-bench-delivery-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python "
          f"{platform.python_version()} · {url.split('://')[0]}")  # fmt: skip
    import bench_tiering_run as tiering

    tiering.reset_schema(url)
    app = make_app(url)
    print(bench_webhooks(app, args.webhooks))
    print(bench_emails(app, args.emails))
    print(bench_digest(app, args.digest_users))
    if not args.skip_retier:
        for line in bench_retier(url, args.retier_accounts):
            print(line)


if __name__ == "__main__":
    main()
