"""Score the whole book: each account against its scorecard, banded, stored with contributions.

The book is read, scored and written range by range of account ids, so memory holds a range
at a time; on PostgreSQL the daily pass reads the next range on a second connection meanwhile.
"""

from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.health.bands import banded, with_overrides
from cstier.domain.health.score import score_frame
from cstier.domain.health.scorecard import parse_scorecard
from cstier.models import Account, HealthOverride, HealthScoring, Scorecard
from cstier.models.base import utcnow
from cstier.services.account_health.inputs import DayInputs, read_day_inputs, read_range_inputs
from cstier.services.account_health.scorecards import ensure_default_scorecard
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.errors import ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.bulk_writes import checkpoint_after, large_page_cache, large_work_mem
from cstier.store.health_scores import (
    bands_on,
    clear_day,
    latest_day_before,
    score_writes,
)
from cstier.store.range_reads import (
    AccountRange,
    account_ranges,
    read_ahead,
    reads_beside_writes,
)
from cstier.store.sizes import BatchSizes
from cstier.store.tier_blocks import read_current_tiers


@dataclass
class ScoringSummary:
    """What a scoring run wrote: the day, accounts scored and how many per band."""

    scored_on: date
    accounts: int = 0
    by_band: dict[str, int] = field(default_factory=dict)


def _value_tiers(session: Session, cards: list[Scorecard]) -> pd.Series | None:
    """Return each account's value tier when a scorecard is scoped to one, else None."""
    if not any(c.scope == "value_tier" for c in cards):
        return None
    scheme_id = active_scheme_id(session, "value")
    if scheme_id is None:
        return None
    tiers = read_current_tiers(session, [scheme_id])[scheme_id]
    return pd.Series(tiers["tier"].to_numpy(), index=tiers["account_id"].to_numpy())


def _scorecard_of(
    cards: list[Scorecard], tiers: pd.Series | None, inputs: pd.DataFrame
) -> pd.Series:
    """Return each account's scorecard id: coverage model, else value tier, else the default."""
    default = next(c.id for c in cards if c.scope == "default")
    chosen = pd.Series(default, index=inputs.index, dtype="int64")
    by_tier = {c.scope_key: c.id for c in cards if c.scope == "value_tier"}
    if tiers is not None:
        picked = tiers.reindex(inputs.index).astype(object).map(by_tier)
        chosen = chosen.where(picked.isna(), picked)
    by_model = {c.scope_key: c.id for c in cards if c.scope == "coverage_model"}
    if by_model:
        picked = inputs["model_key"].astype(object).map(by_model)
        chosen = chosen.where(picked.isna(), picked)
    return chosen.astype("int64")


def measure_values(scored: pd.DataFrame, inputs: pd.DataFrame, measures) -> np.ndarray:
    """Return input, points, weight share and contribution of each measure, side by side."""
    # Filled in place as float32, the stored width, instead of stacking 4 × measures columns.
    values = np.empty((len(scored), 4 * len(measures)), dtype=np.float32)
    for i, m in enumerate(measures):
        values[:, 4 * i] = (
            inputs[m.input].to_numpy(dtype="float64") if m.input in inputs.columns else np.nan
        )
        for j, part in enumerate(("points", "share", "contribution"), start=1):
            values[:, 4 * i + j] = scored[f"{part}.{m.key}"].to_numpy(dtype="float64")
    return values


def _overrides(session: Session) -> pd.DataFrame:
    stmt = (
        select(HealthOverride.account_id, HealthOverride.band, HealthOverride.expires_on)
        .where(HealthOverride.revoked_at.is_(None))
        .order_by(HealthOverride.created_at)
    )
    return read_frame(session, stmt, ["account_id", "band", "expires_on"])


def _read_range(
    shared: DayInputs, previous_day: date | None, session: Session, accounts: AccountRange
) -> tuple[pd.DataFrame, pd.Series]:
    """Return the range's inputs and its accounts' computed bands on the previous scoring day."""
    return read_range_inputs(session, shared, accounts), bands_on(session, previous_day, accounts)


def score_day(
    session: Session,
    day: date,
    now: datetime,
    sizes: BatchSizes = BatchSizes(),
    committed: bool = False,
) -> ScoringSummary:
    """Score every account on inputs as they stood at the start of the day, in the caller's transaction.

    A caller whose session holds no uncommitted change to the inputs says `committed`: where
    the store finds it pays, each next range of accounts is then read on a second connection,
    and each range's scores written on a background thread, while this one is scored.
    """
    ensure_default_scorecard(session)
    cards = list(session.scalars(select(Scorecard)))
    parsed = {c.id: parse_scorecard(c.definition) for c in cards}
    needed = {m.input for card in parsed.values() for m in card.measures}
    shared = read_day_inputs(session, day, needed)
    tiers = _value_tiers(session, cards)
    previous_day = latest_day_before(session, day)
    overrides = _overrides(session)
    ranges = account_ranges(session, Account.id, sizes.health_range_accounts)
    clear_day(session, day)
    summary = ScoringSummary(day)
    layouts_written: set[int] = set()
    read = partial(_read_range, shared, previous_day)
    # Writes run behind the scoring only while the reads use another connection than the session.
    beside = committed and reads_beside_writes(session)
    with (
        score_writes(session, day, now, background=beside) as writes,
        closing(read_ahead(session, ranges, read, elsewhere=beside)) as ranges_read,
    ):
        for inputs, previous in ranges_read:
            card_of = _scorecard_of(cards, tiers, inputs)
            for card_id, card in parsed.items():
                mine = inputs[(card_of == card_id).to_numpy()]
                if mine.empty:
                    continue
                if card_id not in layouts_written:
                    layouts_written.add(card_id)
                    writes.wait()  # the session's connection is the writes' until they are in
                    session.add(
                        HealthScoring(
                            scored_on=day,
                            scorecard_id=card_id,
                            measures=[{"key": m.key, "label": m.label} for m in card.measures],
                            computed_at=now,
                        )
                    )
                    session.flush()
                scored = score_frame(mine, card)
                computed = banded(scored["score"], scored["enough"], previous, card)
                scores = pd.DataFrame(
                    {
                        "account_id": scored.index,
                        "scorecard_id": card_id,
                        "score": scored["score"].round(2).to_numpy(),
                        "coverage": scored["coverage"].round(4).to_numpy(),
                        "computed_band": computed.to_numpy(),
                        "band": with_overrides(computed, overrides, day).to_numpy(),
                    }
                )
                summary.accounts += writes.write(
                    scores, measure_values(scored, mine, card.measures)
                )
                for band, count in scores["band"].value_counts().items():
                    summary.by_band[band] = summary.by_band.get(band, 0) + int(count)
    return summary


def score_accounts(
    session: Session, now: datetime | None = None, sizes: BatchSizes = BatchSizes()
) -> ScoringSummary:
    """Score the whole book for today and store the scores with their contributions."""
    now = now or utcnow()
    session.commit()  # the ranges are read on a second connection, which sees only commits
    # A book-wide read and write: a larger SQLite page cache and PostgreSQL work_mem for the
    # grouping and the million new index entries; SQLite's checkpoint runs after the commit.
    with (
        checkpoint_after(session),
        large_page_cache(session),
        large_work_mem(session),
        unit_of_work(session),
    ):
        return score_day(session, now.date(), now, sizes, committed=True)


def backfill_scores(
    session: Session, months: int, now: datetime | None = None, sizes: BatchSizes = BatchSizes()
) -> list[ScoringSummary]:
    """Score the 1st of each of the past months, oldest first, from the dated inputs."""
    now = now or utcnow()
    if not 1 <= months <= 60:
        raise ValidationFailed("months: must be 1 to 60", {"months": ["must be 1 to 60"]})
    first = pd.Timestamp(now.date()).to_period("M")
    days = [(first - back).to_timestamp().date() for back in range(months, 0, -1)]
    with unit_of_work(session):
        return [score_day(session, day, now, sizes) for day in days]
