"""Two delivery workers on PostgreSQL never send the same delivery at once."""

import threading
from collections import Counter

import pytest

from cstier.extensions import db
from cstier.models import Delivery
from cstier.services.alerts_delivery import deliver_due
from cstier.services.alerts_delivery.dispatch import message_id
from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint
from tests.integration.alerts.conftest import FEB, actor


def test_two_workers_share_the_deliveries(db_session, app, manager, receiver):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED claims are PostgreSQL's; SQLite runs one claimer")
    endpoint, _ = create_endpoint(
        db.session, actor(manager), EndpointInput("R", receiver.url, ["tier.changed"])
    )
    for n in range(300):
        key = f"webhook:{endpoint.id}:test:{n}"
        db.session.add(
            Delivery(key=key, channel="webhook", target=receiver.url, endpoint_id=endpoint.id,
                     message_id=message_id(key), payload={"body": "{}"}, next_attempt_at=FEB,
                     created_at=FEB)
        )  # fmt: skip
    db.session.commit()
    claimed: dict[str, int] = {}

    def work(name: str) -> None:
        with app.app_context():
            total = 0
            while (summary := deliver_due(db.session, FEB, name, limit=25)).claimed:
                total += summary.sent
            claimed[name] = total
            db.session.remove()

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(ids) == 300 and max(ids.values()) == 1
    assert sum(claimed.values()) == 300 and all(claimed.values())
