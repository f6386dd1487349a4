"""A coverage change outside a run (a new matrix) writes its event and reaches the book's CSM."""

from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Notification, OutboxEvent
from cstier.services.alerts_delivery import dispatch_events
from cstier.services.coverage.derive import rederive_book_coverage
from cstier.services.coverage.settings import list_models, matrix, matrix_version, save_matrix
from tests.integration.alerts.conftest import FEB, actor


def test_a_matrix_change_tells_the_csm_of_their_accounts(db_session, moved, manager, csm):
    dispatch_events(db.session, FEB)
    cells = matrix(db.session)
    models = [m.id for m in list_models(db.session)]
    changed = {key: next(m for m in models if m != model) for key, model in cells.items()}
    save_matrix(db.session, actor(manager), changed, matrix_version(db.session))
    rederive_book_coverage(db.session, now=FEB)
    topics = [e.topic for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert topics[-1] == "coverage.changed"
    dispatch_events(db.session, FEB)
    told = db.session.scalars(
        select(Notification).where(
            Notification.user_id == csm.id, Notification.change_key.like("coverage_change:%")
        )
    ).all()
    assert [n.title.split(":")[0] for n in told][-1] == "Mine"
    assert told[-1].cause == "Coverage matrix change"
