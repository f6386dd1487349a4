"""Time pages as one signed-in user sees them: sequential requests per URL, p50/p95/p99.

Usage:
  python bench/web_latency.py --database-url URL [--base-url http://host:port]
                              [--requests 20] [--email bench-admin@example.com]
                              [--url /accounts/?q=acme ...]

Without --base-url the script starts gunicorn (2 workers, wsgi:app) on a free local port
against the database and stops it afterwards. It signs in as an admin (created through
`cstier users create` when missing, with the password the script is given), asks each URL
once to warm the workers, then times `--requests` sequential requests per URL. The default
URLs are the account list's page 1, filtered by a value tier and by a needs tier (each sorted
by ARR, largest first), a name search and one account's page; their scheme ids, tiers and
account come from the database. Figures go to stdout and to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "bench-password-not-secret-1"
CLI = "from cstier.cli import main; main()"


def free_port() -> int:
    """Return a local TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict[str, str]:
    """Return the environment the app's processes run with."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CSTIER_ENV": "development",
        "CSTIER_DATABASE_URL": database_url,
        "CSTIER_SECRET_KEY": os.environ.get("CSTIER_SECRET_KEY") or secrets.token_hex(32),
    }


def ensure_admin(database_url: str, email: str, env: dict[str, str], role: str = "admin") -> None:
    """Create the user (an admin unless told) through the CLI unless the database has them."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        held = conn.execute(text('SELECT 1 FROM "user" WHERE email = :e'), {"e": email}).first()
    engine.dispose()
    if held:
        return
    subprocess.run(
        [sys.executable, "-c", CLI, "users", "create", email, "--role", role],
        input=PASSWORD + "\n", text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn with `workers` workers and wait until it answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "120", "wsgi:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=30)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    server.terminate()
    server.wait(timeout=30)
    raise SystemExit("gunicorn did not answer within 240 s")


def sign_in(base: str, email: str, password: str) -> requests.Session:
    """Return an HTTP session signed in through the login form (with its CSRF token)."""
    client = requests.Session()
    page = client.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    answer = client.post(f"{base}/login", data=data, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"sign-in failed with {answer.status_code}")
    return client


def default_urls(database_url: str) -> dict[str, str]:
    """Return the standard URLs, named, with ids and tiers read from the database."""
    engine = create_engine(database_url)
    urls = {"account list, page 1": "/accounts/"}
    with engine.connect() as conn:
        for dimension in ("value", "needs"):
            scheme_id = conn.execute(
                text("SELECT id FROM tier_scheme WHERE dimension = :d AND active ORDER BY id"),
                {"d": dimension},
            ).scalar()
            if scheme_id is None:
                continue
            # The scheme's least common tier: the filter that walks furthest down the ARR order.
            tier = conn.execute(
                text(
                    "SELECT tier FROM current_tier WHERE scheme_id = :s "
                    "GROUP BY tier ORDER BY count(*), tier LIMIT 1"
                ),
                {"s": scheme_id},
            ).scalar()
            if tier is not None:
                query = urlencode(
                    {"tier_scheme": scheme_id, "tier": tier, "sort": "arr", "dir": "desc"}
                )
                urls[f"{dimension} tier {tier!r}, ARR desc"] = f"/accounts/?{query}"
        account_id, name = conn.execute(
            text(
                "SELECT id, name FROM account WHERE id >= (SELECT max(id) / 2 FROM account) "
                "ORDER BY id LIMIT 1"
            )
        ).one()
    engine.dispose()
    urls[f"name search {name[:8]!r}"] = f"/accounts/?{urlencode({'q': name[:8]})}"
    urls["account page"] = f"/accounts/{account_id}"
    return urls


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_url(client: requests.Session, base: str, url: str, count: int) -> dict:
    """Request a URL once to warm up, then `count` times in a row; return its figures in ms."""
    warm = client.get(base + url, timeout=120)
    if warm.status_code != 200:
        raise SystemExit(f"{url} answered {warm.status_code}")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(base + url, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
    return {
        "url": url,
        "requests": count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> None:
    """Start or reach the app, sign in, time each URL, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--base-url", help="a running app; default: start gunicorn")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--email", default="bench-admin@example.com")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--url", action="append", help="a path to time instead of the defaults")
    args = parser.parse_args()
    env = app_env(args.database_url)
    server = None
    if args.base_url:
        base = args.base_url.rstrip("/")
    else:
        ensure_admin(args.database_url, args.email, env)
        port = free_port()
        server = start_gunicorn(env, port)
        base = f"http://127.0.0.1:{port}"
    try:
        client = sign_in(base, args.email, args.password)
        urls = {u: u for u in args.url} if args.url else default_urls(args.database_url)
        figures = {name: time_url(client, base, url, args.requests) for name, url in urls.items()}
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    stamp = datetime.now(UTC)
    for name, f in figures.items():
        print(
            f"{name:45} p50 {f['p50_ms']:7.1f} ms  p95 {f['p95_ms']:7.1f} ms  "
            f"p99 {f['p99_ms']:7.1f} ms  ({f['requests']} requests)"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"web_latency-{stamp:%Y%m%dT%H%M%S}.json"
    engine = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    report = {
        "at": stamp.isoformat(),
        "engine": engine,
        "cores": os.cpu_count(),
        "gunicorn_workers": None if args.base_url else 2,
        "urls": figures,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
