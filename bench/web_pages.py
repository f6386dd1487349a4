"""The pages timed at scale, who asks them and their budgets; the bench users who sign in."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_latency as web  # noqa: E402 - the bench folder is not a package

LIST, BOARD = 100, 300  # p95 budgets in ms: lists and API; dashboards and worklists
MANAGER = "bench-manager@example.com"


def pages(database_url: str) -> list[tuple[str, str, str, int]]:
    """Return (name, who, path, budget ms) for each page; who is admin, manager, csm or api."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT id FROM tier_scheme WHERE dimension = 'value' AND active ORDER BY id")
        ).scalar()
        tier, in_tier = conn.execute(
            text(
                "SELECT tier, count(*) FROM current_tier WHERE scheme_id = :s "
                "GROUP BY tier ORDER BY count(*), tier LIMIT 1"
            ),
            {"s": value},
        ).one()
        book = conn.execute(text("SELECT count(*) FROM account")).scalar()
        csm_id = busiest_csm(conn)
        account_id, name = conn.execute(
            text(
                "SELECT id, name FROM account WHERE id >= (SELECT max(id) / 2 FROM account) "
                "ORDER BY id LIMIT 1"
            )
        ).one()
        region = conn.execute(text("SELECT region FROM company LIMIT 1")).scalar()
    engine.dispose()

    def accounts(**args) -> str:
        return "/accounts/?" + urlencode(args)

    tiered = {"tier_scheme": value, "tier": tier}
    today = date.today()
    # Deep pages, as far as a small book reaches (50 a page).
    deep, deep_in_tier = max(1, min(40, book // 50)), max(1, min(5, in_tier // 50))
    return [
        ("accounts: page 1 by name", "admin", "/accounts/", LIST),
        (f"accounts: page {deep} by name", "admin", accounts(page=deep), LIST),
        ("accounts: sorted by ARR desc", "admin", accounts(sort="arr", dir="desc"), LIST),
        (f"accounts: value tier {tier}, ARR desc", "admin",
         accounts(**tiered, sort="arr", dir="desc"), LIST),
        (f"accounts: value tier, page {deep_in_tier}", "admin",
         accounts(**tiered, page=deep_in_tier), LIST),
        ("accounts: CSM filter", "admin", accounts(csm_id=csm_id), LIST),
        (f"accounts: region {region}", "admin", accounts(region=region), LIST),
        ("accounts: ARR 50k-250k, ARR asc", "admin",
         accounts(arr_min=50000, arr_max=250000, sort="arr"), LIST),
        ("accounts: tier + region + ARR range", "admin",
         accounts(**tiered, region=region, arr_min=100000, sort="arr", dir="desc"), LIST),
        # A part shared by many names (the synthetic book's "Account 50…") and a whole name.
        (f"accounts: name search {name[:10]!r}", "admin", accounts(q=name[:10]), LIST),
        (f"accounts: name search {name!r}", "admin", accounts(q=name), LIST),
        ("account page", "admin", f"/accounts/{account_id}", LIST),
        # The lists behind the manager's dashboard numbers.
        ("accounts: value tier renewing in 90 days", "manager",
         accounts(**tiered, sort="renewal", renewal_from=today.isoformat(),
                  renewal_to=(today + timedelta(days=90)).isoformat()), LIST),
        ("overrides expiring in 7 days", "manager", "/tiers/overrides?expiring=7", LIST),
        ("overrides in force", "manager", "/tiers/overrides", LIST),
        ("handoffs (open)", "manager", "/coverage/handoffs", LIST),
        ("dashboard (manager)", "manager", "/", BOARD),
        ("dashboard (CSM)", "csm", "/", BOARD),
        ("tier page", "admin", "/tiers/", BOARD),
        ("capacity page", "admin", "/coverage/capacity", BOARD),
        ("segment health /metrics/", "admin", "/metrics/", BOARD),
        ("segment health by CSM", "admin", "/metrics/?by=csm", BOARD),
        ("health fragment, value tiers", "admin", "/health/segments?split=value_tiers", BOARD),
        ("health fragment, CSM", "admin", "/health/segments?split=csm", BOARD),
        ("tier review", "admin", "/reports/tier-review", BOARD),
        ("alerts list", "admin", "/alerts", BOARD),
        ("needs a new owner (worklist)", "manager", "/coverage/reassign", BOARD),
        ("trends", "admin", "/reports/trends", BOARD),
        ("API: accounts", "api", "/api/v1/accounts", LIST),
        ("API: accounts, value tier, ARR desc", "api",
         "/api/v1/accounts?" + urlencode({**tiered, "sort": "arr", "descending": "true"}), LIST),
        ("API: account tiers", "api", f"/api/v1/accounts/{account_id}/tiers", LIST),
    ]  # fmt: skip


def busiest_csm(conn) -> int:
    """Return the id of the CSM who owns the most accounts (their dashboard is the heaviest)."""
    return conn.execute(
        text(
            "SELECT csm_id FROM account WHERE csm_id IS NOT NULL "
            "GROUP BY csm_id ORDER BY count(*) DESC, csm_id LIMIT 1"
        )
    ).scalar()


def cli(env: dict[str, str], *arguments: str, stdin: str = "") -> str:
    """Run a `cstier` command with the app's environment and return its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", web.CLI, *arguments],
        input=stdin, text=True, env=env, cwd=web.ROOT, capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def identities(database_url: str, env: dict[str, str]) -> dict[str, str]:
    """Make sure the admin, the manager and the busiest CSM can sign in; return their emails."""
    web.ensure_admin(database_url, web_email("admin"), env)
    web.ensure_admin(database_url, MANAGER, env, role="cs_manager")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        csm = conn.execute(
            text('SELECT email FROM "user" WHERE id = :i'), {"i": busiest_csm(conn)}
        ).scalar()
    engine.dispose()
    cli(env, "users", "set-password", csm, stdin=web.PASSWORD + "\n")
    return {"admin": web_email("admin"), "manager": MANAGER, "csm": csm}


def web_email(role: str) -> str:
    """Return the bench's own user for a role."""
    return f"bench-{role}@example.com"
