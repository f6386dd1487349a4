"""Load the pages people click at scale: one user in sequence, then 4 users in a closed loop.

Usage:
  python bench/web_load.py --database-url URL [--workers 4] [--requests 20] [--users 4]
                           [--think 1.0] [--duration 180] [--page-cap 60] [--only NAME ...]

Needs the `bench` extra (locust). Starts gunicorn (`--workers`, wsgi:app) on a free local port
against the database, signs in an admin, a CS manager and the CSM who owns the most accounts
(creating the first two through the CLI, setting the CSM's password through it), and makes an
API token for the admin. Then, for every page in PAGES:
  (a) one user asks it twice per worker to warm up (any worker may answer), then `--requests`
      times in a row;
  (b) locust runs `--users` users in a closed loop, each asking the pages in turn with
      `--think` seconds between its requests, for `--duration` seconds.
It prints p50/p95/p99 per page and mode against the page's budget and writes the figures to
bench/results/web_load-<stamp>.json. Ids, tiers and names in the URLs come from the database.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import gevent
from locust import HttpUser, constant, events, task
from locust.clients import HttpSession
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_latency as web  # noqa: E402 - the bench folder is not a package
from web_pages import cli, identities, pages  # noqa: E402


def figures(times: list[float], budget: int) -> dict:
    """Return p50/p95/p99/max of the times (ms) and whether p95 is within budget."""
    p95 = web.percentile(times, 0.95)
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(web.percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
        "budget_ms": budget,
        "met": p95 <= budget,
    }


def sequential(
    base: str, sessions: dict, plan: list, count: int, cap_s: float, warm: int = 1
) -> dict:
    """Time each page as one user: `warm` untimed requests, then `count` in a row.

    A request reaches any gunicorn worker, so warming one per worker keeps a worker's first
    rendering of a page (its templates compiled once in its life) out of the steady-state
    figures. A page far over its budget stops after `cap_s` seconds of requests.
    """
    out = {}
    for name, who, path, budget in plan:
        client = sessions[who]
        for _ in range(warm):
            client.get(base + path, timeout=300)
        times: list[float] = []
        for _ in range(count):
            if sum(times) > cap_s * 1000:
                break
            started = time.perf_counter()
            answer = client.get(base + path, timeout=300)
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {answer.status_code}")
        out[name] = {"path": path, **figures(times, budget)}
        print(f"  (a) {name:42} {line(out[name])}", flush=True)
    return out


def closed_loop(base: str, emails: dict, token: str, plan: list, args) -> dict:
    """Run `args.users` locust users asking the pages in turn, with think time, and time them."""
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)

    @events.request.add_listener
    def record(name, response_time, exception, response, **_kwargs):
        if exception is not None or response is None or response.status_code != 200:
            failures[name] += 1
        else:
            times[name].append(response_time)

    class PageUser(HttpUser):
        host = base
        wait_time = constant(args.think)

        def on_start(self):
            self.clients = {"admin": self.client, "api": self.client}
            self.headers = {"api": {"Authorization": f"Bearer {token}"}}
            for who in ("manager", "csm"):
                self.clients[who] = HttpSession(base, self.environment.events.request, self)
            for who in ("admin", "manager", "csm"):
                sign_in_locust(self.clients[who], emails[who])
            # Each user starts at a different page so the load is spread over all of them.
            start = self.environment.runner.user_count % len(plan)
            self.turns = itertools.islice(itertools.cycle(plan), start, None)

        @task
        def next_page(self):
            name, who, path, _budget = next(self.turns)
            self.clients[who].get(path, name=name, headers=self.headers.get(who), timeout=300)

    environment = Environment(user_classes=[PageUser], events=events)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    gevent.sleep(args.duration)
    runner.quit()
    out = {}
    for name, _who, path, budget in plan:
        if times[name]:
            out[name] = {"path": path, **figures(times[name], budget), "failed": failures[name]}
            print(f"  (b) {name:42} {line(out[name])}", flush=True)
        else:
            out[name] = {"path": path, "requests": 0, "failed": failures[name], "met": False}
            print(f"  (b) {name:42} no answer ({failures[name]} failed)", flush=True)
    return out


def sign_in_locust(client: HttpSession, email: str) -> None:
    """Sign a locust session in through the login form, as web_latency signs in."""
    signed = web.sign_in(client.base_url, email, web.PASSWORD)
    client.cookies.update(signed.cookies)


def line(f: dict) -> str:
    """Format one page's figures."""
    verdict = "ok" if f["met"] else "OVER"
    return (
        f"p50 {f['p50_ms']:7.1f}  p95 {f['p95_ms']:7.1f}  p99 {f['p99_ms']:7.1f} ms "
        f"(n={f['requests']}, budget {f['budget_ms']}) {verdict}"
    )


def main() -> None:
    """Start gunicorn, sign in, time the pages sequentially and under load, save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=180.0)
    parser.add_argument("--only", action="append", help="time only pages whose name has this")
    parser.add_argument(
        "--page-cap", type=float, default=60.0, help="seconds of sequential requests per page"
    )
    args = parser.parse_args()
    env = web.app_env(args.database_url)
    emails = identities(args.database_url, env)
    token = cli(env, "tokens", "create", emails["admin"], "--name", "bench").splitlines()[-1]
    plan = pages(args.database_url)
    if args.only:
        plan = [p for p in plan if any(word in p[0] for word in args.only)]
    load_before = os.getloadavg()
    port = web.free_port()
    server = web.start_gunicorn(env, port, workers=args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        sessions = {who: web.sign_in(base, emails[who], web.PASSWORD) for who in emails}
        sessions["api"] = web.requests.Session()
        sessions["api"].headers["Authorization"] = f"Bearer {token}"
        print(f"gunicorn {args.workers} workers; load average {load_before}")
        alone = sequential(
            base, sessions, plan, args.requests, args.page_cap, warm=2 * args.workers
        )
        loaded = closed_loop(base, emails, token, plan, args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    stamp = datetime.now(UTC)
    record = {
        "at": stamp.isoformat(),
        "cores": os.cpu_count(),
        "gunicorn_workers": args.workers,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "closed_loop": {"users": args.users, "think_s": args.think, "duration_s": args.duration},
        "one_user_sequential": alone,
        "closed_loop_users": loaded,
    }
    web.RESULTS.mkdir(parents=True, exist_ok=True)
    out = web.RESULTS / f"web_load-{stamp:%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out.relative_to(web.ROOT)}")


if __name__ == "__main__":
    main()
