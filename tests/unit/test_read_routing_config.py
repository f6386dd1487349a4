"""The replica and the statement timeout come from the environment when the app is created."""

from cryptography.fernet import Fernet

from cstier import create_app
from cstier.read_routing import replica_of


def production(monkeypatch, tmp_path, **variables):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSTIER_SECRET_KEY", "s3cret")
    monkeypatch.setenv("CSTIER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    for name in ("DATABASE_REPLICA_URL", "REPLICA_STICKY_SECONDS", "STATEMENT_TIMEOUT_MS"):
        monkeypatch.delenv(f"CSTIER_{name}", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(f"CSTIER_{name}", value)
    return create_app(env="production")


def test_without_the_settings_there_is_no_replica_and_no_timeout(monkeypatch, tmp_path):
    app = production(monkeypatch, tmp_path)

    assert replica_of(app) is None
    assert app.config["STATEMENT_TIMEOUT_MS"] == 0
    assert app.config["REPLICA_STICKY_SECONDS"] == 10


def test_the_settings_attach_a_replica_and_set_the_timeout(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'replica.sqlite'}"
    app = production(
        monkeypatch,
        tmp_path,
        DATABASE_REPLICA_URL=url,
        REPLICA_STICKY_SECONDS="3",
        STATEMENT_TIMEOUT_MS="25000",
    )

    assert str(replica_of(app).engine.url) == url
    assert app.config["REPLICA_STICKY_SECONDS"] == 3
    assert app.config["STATEMENT_TIMEOUT_MS"] == 25000
    replica_of(app).dispose()
