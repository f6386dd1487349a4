"""Migration 0013 keeps every current tier and gives back why it was set on downgrade."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

ROWS = [  # account, scheme, tier
    (1, 1, "Strategic"),
    (2, 1, 'Scale, "quoted"'),
    (1, 2, "High"),
]


def _seed_at_0012(conn) -> None:
    seed_accounts_and_schemes(conn, (1, 2), scheme_version=2)
    for account, scheme, tier in ROWS:
        conn.execute(
            text(
                "INSERT INTO account_tier (account_id, scheme_id, tier, explanation, source, "
                "scheme_version, run_id, pending_tier, pending_count, updated_at) VALUES "
                "(:a, :s, :t, 'old text', 'rule', 1, NULL, NULL, 0, '2026-01-01')"
            ),
            {"a": account, "s": scheme, "t": tier},
        )
        # An older change, then the one that set the current tier.
        for at, to_tier, why in (("2026-01-01", "Earlier", "first"), ("2026-02-01", tier, "why")):
            conn.execute(
                text(
                    "INSERT INTO tier_change (account_id, scheme_id, dimension, from_tier, "
                    "to_tier, at, run_id, reason, scheme_version, explanation) VALUES "
                    "(:a, :s, 'value', NULL, :t, :at, 7, 'override', 2, :why)"
                ),
                {"a": account, "s": scheme, "t": to_tier, "at": at, "why": f"{why} {tier}"},
            )


def test_tiers_survive_the_upgrade_and_the_downgrade_restores_why(scratch_url, tmp_path):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0012")
        with db.engine.begin() as conn:
            _seed_at_0012(conn)
        upgrade(revision="0016")  # 0017 packs account_tier into blocks (its own test)
        with db.engine.connect() as conn:
            tiers = conn.execute(
                text("SELECT account_id, scheme_id, tier FROM account_tier ORDER BY 2, 1")
            ).all()
            columns = {c["name"] for c in db.inspect(conn).get_columns("account_tier")}
        assert [tuple(r) for r in tiers] == sorted(ROWS, key=lambda r: (r[1], r[0]))
        assert columns == {"account_id", "scheme_id", "tier", "pending_tier", "pending_count"}
        downgrade(revision="0012")
        with db.engine.connect() as conn:
            restored = conn.execute(
                text(
                    "SELECT account_id, scheme_id, tier, explanation, source, scheme_version, "
                    "run_id FROM account_tier ORDER BY 1, 2"
                )
            ).all()
        db.engine.dispose()
    assert [tuple(r) for r in restored] == [
        (a, s, t, f"why {t}", "override", 2, 7) for a, s, t in sorted(ROWS)
    ]
