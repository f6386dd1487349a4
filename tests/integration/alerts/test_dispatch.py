"""The dispatcher turns committed outbox events into notifications, once, by rule and book."""

from sqlalchemy import func, select, update

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import Notification, OutboxEvent
from cstier.services.alerts_delivery import dispatch_events
from cstier.services.alerts_delivery.notifications import (
    list_notifications,
    mark_all_read,
    mark_read,
    unread_count,
)
from cstier.services.alerts_delivery.rules import RuleInput, save_rule, subscribe
from cstier.services.tiering.run import run_tiering
from tests.integration.alerts.conftest import FEB, JAN, actor, tier_notifications


def test_a_first_tiering_tells_nobody(db_session, split_book, manager):
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    dispatch_events(db.session, JAN)
    assert tier_notifications(manager) == []


def test_default_rules_reach_managers_and_csms_in_their_books(
    db_session, moved, manager, csm, other_csm
):
    summary = dispatch_events(db.session, FEB)
    assert summary.events >= 1
    titles = [n.title for n in tier_notifications(manager)]
    assert titles == [
        "Mine: Value tiers Growth → Strategic", "Theirs: Value tiers Strategic → Scale",
    ] or sorted(titles) == sorted(["Mine: Value tiers Growth → Strategic",
                                   "Theirs: Value tiers Strategic → Scale"])  # fmt: skip
    assert [n.title for n in tier_notifications(csm)] == ["Mine: Value tiers Growth → Strategic"]
    assert [n.title for n in tier_notifications(other_csm)] == [
        "Theirs: Value tiers Strategic → Scale"
    ]
    (mine,) = tier_notifications(csm)
    assert mine.cause == "Data change" and mine.in_app and mine.digest is None


def test_dispatching_again_doubles_nothing(db_session, moved, manager):
    dispatch_events(db.session, FEB)
    count = db.session.scalar(select(func.count()).select_from(Notification))
    assert dispatch_events(db.session, FEB).events == 0
    # As if the dispatcher had crashed before marking its events: they are dispatched again.
    db.session.execute(update(OutboxEvent).values(dispatched_at=None))
    db.session.commit()
    assert dispatch_events(db.session, FEB).events >= 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == count


def test_a_rule_by_region_and_tier(db_session, moved, manager, viewer):
    rule = save_rule(
        db.session, actor(manager),
        RuleInput(name="EMEA into Scale", kind="any_move", tier="Scale", region="EMEA"),
    )  # fmt: skip
    subscribe(db.session, actor(viewer), rule.id, ["in_app"], "immediate")
    dispatch_events(db.session, FEB)
    assert [n.title for n in tier_notifications(viewer)] == [
        "Theirs: Value tiers Strategic → Scale"
    ]


def test_unsubscribing_from_a_default_keeps_it_away(db_session, moved, manager):
    from cstier.services.alerts_delivery.rules import my_subscriptions

    for rule_id in my_subscriptions(db.session, actor(manager)):
        subscribe(db.session, actor(manager), rule_id, [], "immediate")
    dispatch_events(db.session, FEB)
    assert tier_notifications(manager) == []


def test_notification_centre_counts_and_marks_read(db_session, moved, manager):
    dispatch_events(db.session, FEB)
    me = actor(manager)
    page = list_notifications(db.session, me)
    assert unread_count(db.session, me) == page.unread == page.total >= 2
    mark_read(db.session, me, page.items[0].id, FEB)
    assert unread_count(db.session, me) == page.total - 1
    mark_all_read(db.session, me, FEB)
    assert unread_count(db.session, me) == 0


def test_a_scheme_change_is_named_as_the_cause(db_session, moved, manager):
    from cstier.models import TieringRun

    run = db.session.scalars(select(TieringRun).order_by(TieringRun.id.desc())).first()
    run.scheme_versions = {**run.scheme_versions, "value_tiers": 2}
    db.session.commit()
    dispatch_events(db.session, FEB)
    causes = {n.cause for n in tier_notifications(manager)}
    assert causes == {"Scheme change: Value tiers version 1 → 2"}
