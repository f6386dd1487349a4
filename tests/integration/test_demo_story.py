"""The demo book has a past: weekly runs with moves, a scheme edit, pins, owners and handoffs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from cstier.domain.demo_book import DEMO_USERS
from cstier.models import (
    AccountCoverage,
    Handoff,
    TierChange,
    TieringRun,
    TierOverride,
    TierSchemeVersion,
)
from cstier.services.coverage.capacity import capacity_report
from cstier.services.demo import load_demo
from cstier.services.demo_story import STORY_WEEKS, tell_demo_story
from cstier.services.setup import set_up_workspace

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)  # a Wednesday
THIS_MONDAY = datetime(2026, 12, 7, tzinfo=UTC)


def test_the_demo_book_lives_through_twelve_weekly_runs(db_session):
    load_demo(db_session, accounts=1_500, seed=42, as_of=NOW.date())
    set_up_workspace(db_session)

    story = tell_demo_story(db_session, 42, now=NOW)

    assert story.runs == STORY_WEEKS == db_session.scalar(select(func.count(TieringRun.id)))
    starts = db_session.scalars(select(TieringRun.started_at).order_by(TieringRun.id)).all()
    assert [s.replace(tzinfo=UTC).weekday() for s in starts] == [0] * STORY_WEEKS  # Mondays
    # The last full week (the Monday before this one, to this Monday) has real moves.
    last_week = select(func.count(TierChange.id)).where(
        TierChange.at >= THIS_MONDAY - timedelta(weeks=1),
        TierChange.at < THIS_MONDAY,
        TierChange.from_tier.is_not(None),
    )
    assert db_session.scalar(last_week) > 0
    assert db_session.scalar(select(func.max(TierSchemeVersion.version))) == 2  # edited once
    expiries = db_session.scalars(select(TierOverride.expires_at)).all()
    assert len(expiries) == story.overrides == 3
    soon = [e for e in expiries if e is not None and e.replace(tzinfo=UTC) < NOW + timedelta(7)]
    assert len(soon) == 1  # one pin expires this week
    flagged = select(func.count()).where(AccountCoverage.needs_reassignment.is_(True))
    assert db_session.scalar(flagged) > 0
    open_handoffs = select(func.count(Handoff.id)).where(Handoff.done_at.is_(None))
    assert db_session.scalar(open_handoffs) == story.handoffs == 2
    loads = {row["name"]: row["load"] for row in capacity_report(db_session).csms}
    csm_names = [name for _, role, name in DEMO_USERS if role == "csm"]
    assert sum(loads[n] > 100 for n in csm_names) == 2
    assert any(loads[n] < 50 for n in csm_names)
