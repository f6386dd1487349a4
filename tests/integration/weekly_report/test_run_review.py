"""A run stores the whole book's review of the recent weeks; the page serves it with later changes."""

from datetime import timedelta

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.services.reports import movement_between, scheme_tiers, tier_review
from cstier.services.week_review import store_week_reviews
from cstier.services.weekly_report import build_weekly_report
from cstier.store.book_marks import writes_are_marked
from tests.weekly_book import AFTER, MONDAY, record_change

WEEK = MONDAY.date()
THURSDAY = MONDAY + timedelta(days=3)


def live(served):
    return movement_between(
        db.session, SYSTEM_ACTOR, served.starts_at, served.ends_at, scheme_tiers(db.session)
    )


def test_the_week_in_progress_serves_what_the_run_stored_until_a_tier_changes(week_book, admin):
    stored = store_week_reviews(db.session, THURSDAY)
    actor = Actor(admin.id, "admin")
    served = tier_review(db.session, actor, WEEK, now=THURSDAY)
    if not writes_are_marked(db.session):
        # Nothing marks SQLite's writes: nothing is stored and the week is always computed.
        assert stored == 0 and served.moves_stored_at is None
        assert served.review == live(served)
        return
    assert stored == 2  # this week and the one before, neither reported yet
    assert served.moves_stored_at == THURSDAY and served.weekly_report_built_at is None
    assert served.review == live(served) and (served.review.up, served.review.down) == (1, 1)
    # A tier change written since (an override applied, another run) is added to it.
    record_change(week_book["gem"], "Scale", "Growth", THURSDAY + timedelta(hours=1))
    after = tier_review(db.session, actor, WEEK, now=THURSDAY + timedelta(hours=2))
    assert after.moves_stored_at == THURSDAY and after.moves_changed_since == 1
    assert after.review == live(after) and after.review.up == 2


def test_a_csm_never_sees_the_whole_books_stored_review(week_book, csm):
    store_week_reviews(db.session, THURSDAY)
    mine = tier_review(db.session, Actor(csm.id, "csm"), WEEK, now=THURSDAY)
    assert mine.moves_stored_at is None and (mine.review.up, mine.review.down) == (1, 1)


def test_a_reported_week_is_served_from_its_report_and_not_stored_again(week_book, admin):
    build_weekly_report(db.session, "2026-W02", AFTER)
    stored = store_week_reviews(db.session, AFTER)
    # Only the week in progress (W03) is stored: W02 has its report.
    assert stored == (1 if writes_are_marked(db.session) else 0)
    served = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=AFTER)
    assert served.weekly_report_built_at is not None and served.moves_stored_at is None


def test_an_empty_week_in_progress_is_stored_empty(week_book, admin):
    later = AFTER + timedelta(days=14)
    store_week_reviews(db.session, later)
    served = tier_review(db.session, Actor(admin.id, "admin"), later.date(), now=later)
    assert served.review.empty
    assert (served.moves_stored_at is not None) == writes_are_marked(db.session)


def test_a_tiering_run_stores_the_week_in_progress(week_book, admin):
    from cstier.services.reports import default_week
    from cstier.services.tiering.retier import retier_book

    retier_book(db.session, SYSTEM_ACTOR, trigger="web")
    this_week = default_week() + timedelta(days=7)
    served = tier_review(db.session, Actor(admin.id, "admin"), this_week)
    assert (served.moves_stored_at is not None) == writes_are_marked(db.session)
    assert served.review == live(served) and served.review.new > 0
