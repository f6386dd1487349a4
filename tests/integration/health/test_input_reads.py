"""The health pass reads its inputs aggregated in SQL: they equal the inputs computed from raw rows."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from cstier.domain.engagement import engagement_inputs
from cstier.domain.health.bands import banded
from cstier.domain.health.score import score_frame
from cstier.domain.health.scorecard import DEFAULT_SCORECARD, parse_scorecard
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import (
    Account,
    AccountCoverage,
    CoverageModel,
    HealthScore,
    HealthScoring,
    OnboardingMilestone,
    Scorecard,
    Touch,
    UsageMetric,
)
from cstier.services.account_health.inputs import (
    USAGE_LOOKBACK_DAYS,
    onboarding_input,
    read_inputs,
)
from cstier.services.account_health.overrides import set_override
from cstier.services.account_health.scorecards import ensure_default_scorecard, save_scorecard
from cstier.services.account_health.scoring import backfill_scores, score_accounts
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.engagement import ensure_default_cadences, read_cadences, read_touches
from cstier.services.onboarding.check import check_onboarding
from cstier.store.sizes import BatchSizes
from tests.factories import AccountFactory

DAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
CARD = parse_scorecard(DEFAULT_SCORECARD)
NEEDED = {m.input for m in CARD.measures}


def ago(days: int) -> date:
    return DAY - timedelta(days=days)


@pytest.fixture
def book(db_session):
    """Accounts with every input kind, and each input missing somewhere."""
    ensure_default_coverage(db.session)
    ensure_default_cadences(db.session)  # high touch: a QBR every 92 days; pooled: any, 31 days
    ensure_default_scorecard(db.session)
    models = {m.key: m.id for m in db.session.scalars(select(CoverageModel))}
    specs = [
        # coverage model, NPS, renewal, touches (kind, days ago), WAU by month, tickets by month
        ("high_touch", 9, date(2026, 6, 1), [("qbr", 60), ("call", 2)], [30, 40, 50, 60], [3]),
        ("high_touch", 7, None, [("call", 5), ("qbr", 0), ("qbr", -3)], [10, 0, 20], []),
        ("high_touch", None, date(2026, 3, 1), [], [0, 0, 5], [1, 2]),
        ("pooled", 3, date(2027, 1, 1), [("email", 20), ("meeting", 200)], [5], [0]),
        ("pooled", 10, date(2026, 9, 9), [("meeting", 40)], [], [4, 4, 4, 4, 4]),
        ("tech_touch", 0, date(2026, 4, 1), [("email", 1)], [7, 7], []),
        (None, None, None, [], [], []),
        (None, 8, date(2026, 12, 31), [("qbr", 400)], [1, 2, 3, 4, 5, 6], [9]),
    ]
    accounts = []
    for i, (model, nps, renewal, touches, wau, tickets) in enumerate(specs):
        account = AccountFactory(
            attributes={} if nps is None else {"nps": nps},
            renewal_date=renewal,
            lifecycle_stage="onboarding" if i in (2, 5) else "active",
            contract_start_date=date(2026, 1, 15) if i == 2 else date(2026, 2, 20),
        )
        accounts.append(account)
        if model:
            db.session.add(AccountCoverage(account_id=account.id, coverage_model_id=models[model]))
        for kind, days in touches:
            db.session.add(Touch(account_id=account.id, kind=kind, occurred_on=ago(days), note=""))
        for metric, values in (("weekly_active_users", wau), ("support_tickets", tickets)):
            months = pd.period_range(end=pd.Period(DAY, "M"), periods=len(values), freq="M")
            for month, value in zip(months, values, strict=True):
                db.session.add(UsageMetric(account_id=account.id, metric=metric,
                                           period_start=month.start_time.date(), value=value))  # fmt: skip
    db.session.commit()
    check_onboarding(db.session, NOW)
    db.session.add(OnboardingMilestone(external_id="MS-1", account_id=accounts[2].id, name="Kickoff",
                                       completed_on=date(2026, 1, 20), plan_milestone="kickoff"))  # fmt: skip
    db.session.commit()
    return accounts


def reference_inputs(day: date) -> pd.DataFrame:
    """Return the scorecard's inputs computed in pandas from every raw row."""
    rows = db.session.execute(
        select(Account.id, Account.attributes, Account.renewal_date, AccountCoverage.coverage_model_id)
        .outerjoin(AccountCoverage, AccountCoverage.account_id == Account.id)
    ).all()  # fmt: skip
    book = pd.DataFrame(
        {
            "attr.nps": [float(a["nps"]) if "nps" in a else np.nan for _, a, _, _ in rows],
            "renewal_date": [r for _, _, r, _ in rows],
            "coverage_model_id": [m for _, _, _, m in rows],
        },
        index=pd.Index([i for i, _, _, _ in rows], name="account_id"),
    ).sort_index()
    inputs = book[["attr.nps"]].copy()
    usage = pd.DataFrame(
        db.session.execute(select(UsageMetric.account_id, UsageMetric.metric,
                                  UsageMetric.period_start, UsageMetric.value)).all(),
        columns=["account_id", "metric", "period_start", "value"],
    )  # fmt: skip
    start = pd.to_datetime(usage["period_start"])
    usage = usage[(start < pd.Timestamp(day)) & (start >= pd.Timestamp(day - timedelta(days=USAGE_LOOKBACK_DAYS)))]  # fmt: skip
    for metric in ("weekly_active_users", "support_tickets"):
        mine = usage[usage["metric"] == metric].sort_values("period_start", ascending=False)
        latest, trend = {}, {}
        for account_id, figures in mine.groupby("account_id"):
            values = figures["value"].tolist()
            latest[account_id] = values[0]
            earlier = np.mean(values[1:4]) if len(values) > 1 else np.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                change = (values[0] / earlier - 1) * 100
            trend[account_id] = change if np.isfinite(change) else np.nan
        inputs[f"usage.{metric}"] = pd.Series(latest, dtype="float64").reindex(book.index)
        inputs[f"usage.{metric}.trend"] = pd.Series(trend, dtype="float64").reindex(book.index)
    inputs["onboarding"] = onboarding_input(db.session, day, book.index)
    engagement = engagement_inputs(
        book, read_touches(db.session, day), read_cadences(db.session), day
    )
    inputs = inputs.join(engagement)
    renewal = pd.to_datetime(book["renewal_date"])
    inputs["renewal_days"] = (renewal - pd.Timestamp(day)).dt.days.astype("float64")
    return inputs


def test_inputs_read_in_sql_equal_those_computed_from_raw_rows(book):
    expected = reference_inputs(DAY)
    assert expected.isna().any().all() and expected.notna().any().all()  # each kind, each missing
    read = read_inputs(db.session, DAY, NEEDED)
    pd.testing.assert_frame_equal(
        read[expected.columns], expected, check_names=False, check_exact=False, rtol=1e-9
    )
    models = dict(db.session.execute(select(AccountCoverage.account_id, AccountCoverage.coverage_model_id)).all())  # fmt: skip
    assert read["coverage_model_id"].fillna(-1).tolist() == [models.get(i, -1) for i in read.index]


def test_stored_scores_equal_the_reference_scored_over_two_days(book):
    yesterday = NOW - timedelta(days=1)
    score_accounts(db.session, yesterday)
    score_accounts(db.session, NOW)
    previous = reference_band(yesterday.date(), pd.Series(dtype=object))
    scored, band = reference_scores(DAY, previous)
    stored = pd.DataFrame(
        db.session.execute(
            select(HealthScore.account_id, HealthScore.score, HealthScore.coverage,
                   HealthScore.computed_band).where(HealthScore.scored_on == DAY)
        ).all(),
        columns=["account_id", "score", "coverage", "band"],
    ).set_index("account_id").sort_index()  # fmt: skip
    assert stored.index.tolist() == scored.index.tolist()
    np.testing.assert_allclose(
        stored["score"].astype(float), scored["score"].round(2), equal_nan=True
    )
    np.testing.assert_allclose(stored["coverage"], scored["coverage"].round(4))
    assert stored["band"].tolist() == band.tolist()


def reference_scores(day: date, previous: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    scored = score_frame(reference_inputs(day), CARD)
    return scored, banded(scored["score"], scored["enough"], previous, CARD)


def reference_band(day: date, previous: pd.Series) -> pd.Series:
    return reference_scores(day, previous)[1]


def stored_days() -> pd.DataFrame:
    """Return every stored score with its measures' values, in (day, account) order."""
    rows = db.session.execute(
        select(HealthScore.scored_on, HealthScore.account_id, HealthScore.scorecard_id,
               HealthScore.score, HealthScore.coverage, HealthScore.computed_band,
               HealthScore.band, HealthScore.measures)
        .order_by(HealthScore.scored_on, HealthScore.account_id)
    ).all()  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["day", "account", "card", "score", "coverage", "computed", "band", "values"]
    )
    frame["values"] = frame["values"].map(bytes)
    return frame


def layouts() -> list[tuple]:
    return sorted(
        db.session.execute(
            select(HealthScoring.scored_on, HealthScoring.scorecard_id, HealthScoring.measures)
        ).all()
    )


@pytest.mark.parametrize("per_range", [1, 3])
def test_scoring_range_by_range_stores_what_one_pass_over_the_book_stores(book, per_range):
    """Ranges of accounts (read ahead on a second connection) change no score, band or value."""
    save_scorecard(db.session, SYSTEM_ACTOR, None, {"name": "Pooled", "scope": "coverage_model",
                   "scope_key": "pooled", "definition": DEFAULT_SCORECARD})  # fmt: skip
    set_override(db.session, SYSTEM_ACTOR, book[4].id, {"band": "red", "reason": "escalation"}, NOW - timedelta(days=2))  # fmt: skip
    days = [NOW - timedelta(days=2), NOW - timedelta(days=1), NOW]
    for now in days:
        score_accounts(db.session, now, BatchSizes(health_range_accounts=len(book) + 10))
    whole, whole_layouts = stored_days(), layouts()
    assert len(whole) == 3 * len(book) and set(whole["card"]) == {s.id for s in db.session.scalars(select(Scorecard))}  # fmt: skip
    assert whole["band"].nunique() > 2 and "red" in set(whole.loc[whole["account"] == book[4].id, "band"])  # fmt: skip
    for now in days:
        score_accounts(db.session, now, BatchSizes(health_range_accounts=per_range))
    pd.testing.assert_frame_equal(stored_days(), whole)
    assert [(d, c, m) for d, c, m in layouts()] == [(d, c, m) for d, c, m in whole_layouts]


def test_backfill_range_by_range_stores_what_one_pass_stores(book):
    """Backfill scores past days in one transaction, each range read in the session itself."""
    backfill_scores(db.session, 2, NOW, BatchSizes(health_range_accounts=len(book) + 10))
    whole = stored_days()
    backfill_scores(db.session, 2, NOW, BatchSizes(health_range_accounts=2))
    assert len(whole) == 2 * len(book)
    pd.testing.assert_frame_equal(stored_days(), whole)
