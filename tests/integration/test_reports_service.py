"""The weekly tier review over the database: real runs, the actor's book, week edges."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import AccountCoverage, TierOverride, TierScheme
from cstier.services.errors import ValidationFailed
from cstier.services.reports import tier_review
from cstier.services.tiering.retier import retier_book
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import TierChangeFactory
from tests.integration.tiering.conftest import set_arr

WEEK = date(2026, 1, 5)  # Monday of 2026-W02
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
LATER = datetime(2026, 3, 1, tzinfo=UTC)


def scheme(key: str = "value_tiers") -> TierScheme:
    ensure_default_schemes(db.session)
    db.session.commit()
    return db.session.scalar(select(TierScheme).where(TierScheme.key == key))


def record_change(account, from_tier, to_tier, at, key: str = "value_tiers") -> None:
    """Insert one history row, as a run would have written it."""
    TierChangeFactory(
        account_id=account.id, scheme=scheme(key), from_tier=from_tier, to_tier=to_tier, at=at
    )


def value_of(report):
    return next(s for s in report.review.schemes if s.name == "Value tiers")


def test_a_real_rerun_shows_moves_up_and_down_with_arr(db_session, admin, split_book):
    retier_book(db.session, SYSTEM_ACTOR, trigger="cli", now=datetime(2025, 12, 1, tzinfo=UTC))
    set_arr(split_book["mine"], 400_000)  # Growth -> Strategic
    set_arr(split_book["theirs"], 20_000)  # Strategic -> Scale
    retier_book(db.session, SYSTEM_ACTOR, trigger="cli", now=MONDAY + timedelta(hours=9))

    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)
    value = value_of(report)
    assert (value.up, value.down, value.new) == (1, 1, 0)
    assert (value.arr_up_cents, value.arr_down_cents) == (400_000_00, 20_000_00)
    assert report.week == "2026-W02" and report.starts_at == MONDAY
    assert report.review.top_movers[0]["account_name"] == "Mine"
    assert "Biggest move: Mine, Growth → Strategic in Value tiers ($400k ARR)." in report.lines
    assert (report.previous_week, report.next_week) == ("2026-W01", "2026-W03")


def test_first_tierings_count_as_new(db_session, admin, split_book):
    retier_book(db.session, SYSTEM_ACTOR, trigger="cli", now=MONDAY + timedelta(days=2))
    value = value_of(tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER))
    assert (value.new, value.up, value.down) == (2, 0, 0)


def test_a_csm_sees_only_their_own_book(db_session, csm, other_csm, viewer, manager, split_book):
    record_change(split_book["mine"], "Growth", "Strategic", MONDAY)
    record_change(split_book["theirs"], "Strategic", "Growth", MONDAY)
    mine = tier_review(db.session, Actor(csm.id, "csm"), WEEK, now=LATER)
    assert (value_of(mine).up, value_of(mine).down) == (1, 0)
    assert [m["account_name"] for m in mine.review.top_movers] == ["Mine"]
    theirs = tier_review(db.session, Actor(other_csm.id, "csm"), WEEK, now=LATER)
    assert (value_of(theirs).up, value_of(theirs).down) == (0, 1)
    for user in (viewer, manager):
        everyone = tier_review(db.session, Actor(user.id, user.role), WEEK, now=LATER)
        assert (value_of(everyone).up, value_of(everyone).down) == (1, 1)


def test_the_week_runs_from_monday_midnight_to_the_next_monday(db_session, admin, split_book):
    record_change(split_book["mine"], "Scale", "Growth", MONDAY - timedelta(seconds=1))  # last week
    record_change(split_book["mine"], "Growth", "Strategic", MONDAY)  # first instant: in
    record_change(
        split_book["theirs"], "Strategic", "Growth", datetime(2026, 1, 11, 23, 59, 59, tzinfo=UTC)
    )
    record_change(
        split_book["theirs"], "Growth", "Scale", datetime(2026, 1, 12, tzinfo=UTC)
    )  # next week
    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)
    assert report.review.changes == 2
    assert [(c["from_tier"], c["to_tier"]) for c in value_of(report).matrix] == [
        ("Strategic", "Growth"),  # the matrix follows the tier order, top tier first
        ("Growth", "Strategic"),
    ]
    following = tier_review(db.session, Actor(admin.id, "admin"), date(2026, 1, 12), now=LATER)
    assert following.review.changes == 1 and value_of(following).down == 1


def test_an_empty_week_says_so(db_session, admin, split_book):
    scheme()  # seeded, never tiered
    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)
    assert report.review.empty and report.lines[0] == "No tier changes in this week."
    assert {s.name for s in report.review.schemes} >= {"Value tiers", "Needs tiers"}


@pytest.mark.parametrize("week_start", [date(2026, 1, 6), date(9999, 12, 27), "2026-W02"])
def test_an_invalid_week_is_refused(db_session, admin, week_start):
    with pytest.raises(ValidationFailed) as raised:
        tier_review(db.session, Actor(admin.id, "admin"), week_start)
    assert "week" in raised.value.errors


def test_the_next_week_link_stops_at_the_current_week(db_session, admin):
    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=MONDAY + timedelta(days=9))
    assert report.next_week == "2026-W03"
    current = tier_review(
        db.session, Actor(admin.id, "admin"), date(2026, 1, 12), now=MONDAY + timedelta(days=9)
    )
    assert current.next_week is None


def test_overrides_expiring_within_a_week_of_the_week_end(db_session, admin, csm, split_book):
    value = scheme()
    week_end = datetime(2026, 1, 12, tzinfo=UTC)

    def override(account, expires_at, revoked_at=None):
        db.session.add(
            TierOverride(
                account_id=account.id, scheme_id=value.id, tier="Strategic", reason="Exec sponsor",
                expires_at=expires_at, revoked_at=revoked_at, created_at=MONDAY - timedelta(days=30),
            )
        )  # fmt: skip

    override(split_book["mine"], week_end + timedelta(days=3))
    override(split_book["theirs"], week_end + timedelta(days=2))
    override(split_book["theirs"], week_end + timedelta(days=9))  # too far
    override(split_book["theirs"], week_end + timedelta(days=1), revoked_at=MONDAY)  # revoked
    db.session.commit()
    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)
    assert report.expiring_overrides_total == 2
    assert [o["account_name"] for o in report.expiring_overrides] == ["Theirs", "Mine"]
    assert report.expiring_overrides[0]["scheme_name"] == "Value tiers"
    assert "2 tier overrides expire in the next 7 days." in report.lines
    mine = tier_review(db.session, Actor(csm.id, "csm"), WEEK, now=LATER)
    assert [o["account_name"] for o in mine.expiring_overrides] == ["Mine"]


def test_accounts_flagged_for_reassignment_are_listed(db_session, admin, csm, split_book):
    db.session.add_all(
        [
            AccountCoverage(account_id=split_book["mine"].id, needs_reassignment=True),
            AccountCoverage(account_id=split_book["theirs"].id, needs_reassignment=True),
        ]
    )
    db.session.commit()
    report = tier_review(db.session, Actor(admin.id, "admin"), WEEK, now=LATER)
    assert report.needs_reassignment_total == 2
    assert [a["account_name"] for a in report.needs_reassignment] == ["Theirs", "Mine"]
    mine = tier_review(db.session, Actor(csm.id, "csm"), WEEK, now=LATER)
    assert mine.needs_reassignment_total == 1 and mine.needs_reassignment[0]["csm_name"] == csm.name
    # A flag cleared is no longer counted, whoever reads the whole book.
    db.session.get(AccountCoverage, split_book["mine"].id).needs_reassignment = False
    db.session.commit()
    for role in ("admin", "cs_manager", "viewer"):
        review = tier_review(db.session, Actor(admin.id, role), WEEK, now=LATER)
        assert review.needs_reassignment_total == 1, role


def test_cli_prints_the_review_as_text_and_json(runner, split_book):
    record_change(split_book["mine"], "Growth", "Strategic", MONDAY)
    text = runner.invoke(args=["report", "tier-review", "--week", "2026-W02"])
    assert text.exit_code == 0, text.output
    assert "Tier review 2026-W02 (Mon 05 Jan 2026 – Sun 11 Jan 2026, UTC)" in text.output
    assert "Value tiers: 1 up ($100k ARR)." in text.output
    assert "up  Mine: Growth → Strategic ($100k)" in text.output
    result = runner.invoke(args=["report", "tier-review", "--week", "2026-W02", "--format", "json"])
    body = json.loads(result.output)
    assert (body["week"], body["starts_at"], body["review"]["up"]) == (
        "2026-W02", "2026-01-05T00:00:00+00:00", 1,
    )  # fmt: skip


def test_cli_defaults_to_the_last_full_week_and_refuses_a_bad_one(runner, db_session):
    assert "No tier changes in this week." in runner.invoke(args=["report", "tier-review"]).output
    bad = runner.invoke(args=["report", "tier-review", "--week", "2026-W99"])
    assert bad.exit_code == 2 and "no W99" in bad.output
