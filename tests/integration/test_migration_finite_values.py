"""Migration 0021 empties the NaN and infinite numbers stored before input was checked."""

import json
import math

from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import make_app
from tests.integration.migration_seed import seed_accounts_and_schemes

# SQLite's JSON text can hold Python's NaN and Infinity tokens; PostgreSQL's JSONB cannot.
SQLITE_ATTRIBUTES = {
    1: '{"nps": NaN, "tool": "NaN fan", "seats": 12}',
    2: '{"score": Infinity, "churn": -Infinity, "tags": [1, NaN]}',
    3: '{"motto": "to Infinity", "nps": 9.5}',
}
SQLITE_DEFINITION = '{"dimension": "value", "notes": {"budget": [1, NaN]}, "cap": -Infinity}'
USAGE = [  # account, period, value (NaN only on PostgreSQL: SQLite stores it as NULL)
    (1, "2026-01-01", 5.0),
    (1, "2026-02-01", math.inf),
    (2, "2026-01-01", -math.inf),
    (3, "2026-01-01", math.nan),
]


def _seed_at_0020(conn) -> None:
    seed_accounts_and_schemes(conn, (1, 2, 3), scheme_version=1)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        for account, attributes in SQLITE_ATTRIBUTES.items():
            conn.execute(
                text("UPDATE account SET attributes = :a WHERE id = :id"),
                {"a": attributes, "id": account},
            )
    definition = SQLITE_DEFINITION if sqlite else '{"dimension": "value", "name": "NaN"}'
    conn.execute(
        text(
            "INSERT INTO tier_scheme_version (id, scheme_id, version, definition, created_at) "
            "VALUES (1, 1, 1, :d, '2026-01-01')"
        ),
        {"d": definition},
    )
    for number, (account, period, value) in enumerate(USAGE, start=1):
        if sqlite and math.isnan(value):
            continue
        conn.execute(
            text(
                "INSERT INTO usage_metric (id, account_id, metric, period_start, value) "
                "VALUES (:id, :a, 'weekly_active_users', :p, :v)"
            ),
            {"id": number, "a": account, "p": period, "v": value},
        )


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _state(conn) -> tuple[dict, dict, list]:
    attributes = conn.execute(text("SELECT id, attributes FROM account ORDER BY id")).all()
    definition = conn.execute(text("SELECT definition FROM tier_scheme_version")).scalar()
    usage = conn.execute(text("SELECT id, value FROM usage_metric ORDER BY id")).all()
    return (
        {i: _json(a) for i, a in attributes},
        _json(definition),
        [tuple(row) for row in usage],
    )


def test_0021_empties_non_finite_values_and_says_how_many(scratch_url, tmp_path, capsys):
    app = make_app(scratch_url, str(tmp_path))
    with app.app_context():
        from cstier.extensions import db

        upgrade(revision="0020")
        with db.engine.begin() as conn:
            _seed_at_0020(conn)
            sqlite = conn.dialect.name == "sqlite"
        capsys.readouterr()
        upgrade(revision="0021")
        said = capsys.readouterr().out
        with db.engine.connect() as conn:
            attributes, definition, usage = _state(conn)
        db.engine.dispose()

    if sqlite:
        assert attributes == {
            1: {"tool": "NaN fan", "seats": 12},
            2: {},
            3: {"motto": "to Infinity", "nps": 9.5},
        }
        assert definition == {"dimension": "value", "notes": {"budget": [1, None]}, "cap": None}
        assert said.strip() == (
            "0021: emptied 4 non-finite custom attribute values, nulled 2 non-finite numbers "
            "in tier scheme definitions and deleted 2 non-finite usage figures"
        )
    else:
        assert attributes == {1: {}, 2: {}, 3: {}}
        assert definition == {"dimension": "value", "name": "NaN"}
        assert said.strip() == (
            "0021: emptied 0 non-finite custom attribute values, nulled 0 non-finite numbers "
            "in tier scheme definitions and deleted 3 non-finite usage figures"
        )
    assert usage == [(1, 5.0)]
