"""The CLI dispatches, delivers, queues digests and rotates the encryption key."""

from cryptography.fernet import Fernet

from cstier.extensions import db
from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint, send_test
from tests.integration.alerts.conftest import FEB, actor


def test_dispatch_and_deliver_commands(runner, moved, receiver, manager):
    create_endpoint(db.session, actor(manager), EndpointInput("R", receiver.url, ["tier.changed"]))
    result = runner.invoke(args=["alerts", "dispatch"])
    assert result.exit_code == 0 and "notification(s)" in result.output
    result = runner.invoke(args=["alerts", "deliver"])
    assert result.exit_code == 0 and "sent 2" in result.output
    assert runner.invoke(args=["alerts", "digest", "--daily"]).exit_code == 0
    assert runner.invoke(args=["alerts", "digest"]).exit_code != 0


def test_secrets_rotate_re_encrypts_with_the_new_key(app, runner, db_session, manager, receiver):
    endpoint, secret = create_endpoint(
        db.session, actor(manager), EndpointInput("R", receiver.url, ["tier.changed"])
    )
    old = app.config["ENCRYPTION_KEY"]
    new = Fernet.generate_key().decode()
    try:
        app.config["ENCRYPTION_KEY"] = f"{new},{old}"
        result = runner.invoke(args=["secrets", "rotate"])
        assert result.exit_code == 0 and "1 webhook secret" in result.output
        app.config["ENCRYPTION_KEY"] = new  # the old key is gone; the secret still opens
        assert send_test(db.session, actor(manager), endpoint.id, FEB).sent == 1
    finally:
        app.config["ENCRYPTION_KEY"] = old
