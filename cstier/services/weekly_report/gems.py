"""Read what the hidden-gem selection needs: ARR, recent usage, needs scores and expansions."""

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from cstier.domain.reports.hidden_gems import USAGE_ENDS, GemThresholds, hidden_gems
from cstier.domain.tiering.evaluate import evaluate, input_columns
from cstier.domain.tiering.schemes import NeedsScheme
from cstier.models import Account, Subscription, TierScheme, UsageMetric
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import ValidationFailed
from cstier.services.tiering.current_arr import active_on
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.schemes import validate
from cstier.store.bulk_reads import read_frame
from cstier.store.range_reads import AccountRange, account_ranges


def gem_frame(
    session: Session, last_day: date, thresholds: GemThresholds
) -> tuple[pd.DataFrame, bool]:
    """Return the gems as of last_day (domain GEM_COLUMNS) and whether a needs score was available."""
    accounts = read_frame(
        session, select(Account.id, Account.arr_cents), ["account_id", "arr_cents"]
    )
    needs = needs_scores(session)
    gems = hidden_gems(
        accounts,
        recent_usage(session, last_day, thresholds.usage_periods),
        needs,
        expansions(session, last_day, thresholds.expansion_days),
        thresholds,
    )
    return gems, needs is not None


# Accounts whose usage ends are read per query: a range's rows, not the book's, are Python rows.
USAGE_ACCOUNTS_PER_READ = 250_000


def recent_usage(
    session: Session,
    last_day: date,
    periods: int,
    accounts_per_read: int = USAGE_ACCOUNTS_PER_READ,
) -> pd.DataFrame:
    """Return each account's usage ends per metric (USAGE_ENDS) over its last periods to last_day.

    The ends are taken in SQL, a range of account ids at a time: every recent figure of a big
    book as a Python row took gigabytes.
    """
    frames = [
        read_frame(session, _usage_ends(last_day, periods, account_range), USAGE_ENDS)
        for account_range in account_ranges(session, UsageMetric.account_id, accounts_per_read)
    ]
    if not frames:
        return pd.DataFrame(columns=USAGE_ENDS)
    return pd.concat([f.astype({"metric": "category"}) for f in frames], ignore_index=True)


def _usage_ends(last_day: date, periods: int, accounts: AccountRange) -> Select:
    """Return the select of USAGE_ENDS for the accounts of one id range."""
    position = (
        func.row_number()
        .over(
            partition_by=(UsageMetric.account_id, UsageMetric.metric),
            order_by=UsageMetric.period_start.desc(),
        )
        .label("position")
    )
    ranked = (
        select(UsageMetric.account_id, UsageMetric.metric, UsageMetric.value, position)
        .where(
            UsageMetric.period_start <= last_day,
            UsageMetric.account_id.between(*accounts),
        )
        .subquery()
    )
    return (
        select(
            ranked.c.account_id,
            ranked.c.metric,
            func.max(case((ranked.c.position == periods, ranked.c.value))),
            func.max(case((ranked.c.position == 1, ranked.c.value))),
            func.count(),
        )
        .where(ranked.c.position <= periods)
        .group_by(ranked.c.account_id, ranked.c.metric)
    )


def expansions(session: Session, last_day: date, days: int) -> pd.DataFrame:
    """Return each account's subscription MRR `days` before last_day and on it, where it changed."""
    before_day = last_day - timedelta(days=days)

    before = func.sum(case((active_on(before_day), Subscription.mrr_cents), else_=0))
    after = func.sum(case((active_on(last_day), Subscription.mrr_cents), else_=0))
    stmt = (
        select(Subscription.account_id, before, after)
        .where(Subscription.start_date <= last_day)
        .group_by(Subscription.account_id)
        .having(after > before)
    )
    return read_frame(session, stmt, ["account_id", "mrr_before_cents", "mrr_after_cents"])


def needs_scores(session: Session) -> pd.DataFrame | None:
    """Return account_id, score of the active needs scheme, or None if no scheme scores needs."""
    scheme_id = active_scheme_id(session, "needs")
    if scheme_id is None:
        return None
    scheme = session.get(TierScheme, scheme_id)
    try:
        parsed = validate(session, scheme.current.definition)
    except ValidationFailed:
        return None
    if not isinstance(parsed, NeedsScheme):
        return None
    book = load_book(session, input_columns(parsed), field_catalog(session))
    return evaluate(parsed, book, explain=False)[["account_id", "score"]]
