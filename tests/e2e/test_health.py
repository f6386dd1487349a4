"""The health check answers for the database."""

from tests.conftest import make_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "scheduler_heartbeat": None}


def test_healthz_503_when_database_unreachable(instance_path):
    # A port nobody listens on: the driver fails to connect.
    app = make_app(
        "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2", instance_path
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
