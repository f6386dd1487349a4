"""The tier review of a closed week serves its stored weekly report to those who see the whole book."""

from datetime import timedelta

from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import WeeklyReport
from cstier.services.reports import movement_between, scheme_tiers, tier_review
from cstier.services.weekly_report import build_weekly_report
from tests.weekly_book import AFTER, MONDAY, record_change, set_timezone

WEEK = MONDAY.date()


def test_a_closed_week_with_a_report_serves_the_stored_review(week_book, manager):
    report = build_weekly_report(db.session, "2026-W02", AFTER)
    later = AFTER + timedelta(days=20)
    served = tier_review(db.session, Actor(manager.id, "cs_manager"), WEEK, now=later)
    assert served.weekly_report_built_at == AFTER == report.built_at.replace(tzinfo=AFTER.tzinfo)
    live = movement_between(
        db.session, SYSTEM_ACTOR, served.starts_at, served.ends_at, scheme_tiers(db.session)
    )
    assert served.review == live  # the stored and live figures agree on this book
    assert (served.review.up, served.review.down) == (1, 1)
    # Attention items stay live: the override expiring after the week is listed as then.
    assert served.expiring_overrides_total == 1 and served.needs_reassignment_total == 1


def test_the_stored_review_is_the_week_as_it_closed(week_book, admin):
    build_weekly_report(db.session, "2026-W02", AFTER)
    # History written later into the closed week, and an ARR change, leave the snapshot as is.
    record_change(week_book["gem"], "Scale", "Growth", MONDAY + timedelta(days=3))
    week_book["riser"].arr_cents = 1_000_00
    db.session.commit()
    served = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=AFTER)
    assert (served.review.up, served.review.arr_up_cents) == (1, 400_000_00)
    assert served.weekly_report_built_at is not None


def test_a_csm_the_current_week_and_a_week_without_report_are_computed(week_book, csm, admin):
    build_weekly_report(db.session, "2026-W02", AFTER)
    mine = tier_review(db.session, Actor(csm.id, "csm"), WEEK, now=AFTER)
    assert mine.weekly_report_built_at is None
    assert (mine.review.up, mine.review.down) == (1, 1)  # both movers are the CSM's
    current = tier_review(
        db.session, Actor(admin.id, "admin"), WEEK, now=MONDAY + timedelta(days=3)
    )
    assert current.weekly_report_built_at is None  # a week in progress has no report yet
    following = tier_review(
        db.session, Actor(admin.id, "admin"), WEEK + timedelta(days=7), now=AFTER
    )
    assert following.weekly_report_built_at is None and following.review.empty


def test_a_report_of_other_week_bounds_or_an_older_shape_is_not_served(week_book, admin):
    set_timezone("Europe/Paris")  # its local week starts an hour before the page's UTC week
    build_weekly_report(db.session, "2026-W02", AFTER)
    actor = Actor(admin.id, "admin")
    assert tier_review(db.session, actor, WEEK, now=AFTER).weekly_report_built_at is None
    report = db.session.scalar(select(WeeklyReport))
    report.starts_at, report.ends_at = MONDAY, MONDAY + timedelta(days=7)
    report.content = {**report.content, "review": {"lines": ["an older shape"]}}
    db.session.commit()
    served = tier_review(db.session, actor, WEEK, now=AFTER)
    assert served.weekly_report_built_at is None and served.review.up == 1
