"""Health scores in bulk: a day's scores for the book written behind the scoring, the bands before a day."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial

import numpy as np
import pandas as pd
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from cstier.domain.health.scorecard import BANDS, INSUFFICIENT
from cstier.models import HealthScore, HealthScoring
from cstier.store.bulk_writes import BulkWriter
from cstier.store.column_reads import read_columns
from cstier.store.integer_reads import read_integers_at_once
from cstier.store.range_reads import AccountRange
from cstier.store.threads import InFlight, shareable_across_threads

COLUMNS = (
    "account_id", "scorecard_id", "scored_on", "score", "coverage", "computed_band", "band",
    "measures", "computed_at",
)  # fmt: skip
VALUE_TYPE = np.dtype("<f4")
BAND_KINDS = {"id": "int", "account_id": "int", "band": "text"}
# The computed bands scoring writes, numbered for reading them back as integers.
BAND_CODES = (*BANDS, INSUFFICIENT)
CODED = ["account_id", "code"]


def pack_measures(values: np.ndarray) -> list[bytes]:
    """Return each row of a (accounts × values) array as little-endian float32 bytes."""
    packed = np.ascontiguousarray(values, dtype=VALUE_TYPE)
    if packed.shape[0] == 0:
        return []
    return packed.view(np.dtype((np.void, packed.shape[1] * VALUE_TYPE.itemsize))).ravel().tolist()


def unpack_measures(blob: bytes, measures: int) -> np.ndarray:
    """Return a score's values as a (measures × 4) float array."""
    return np.frombuffer(bytes(blob), dtype=VALUE_TYPE).astype("float64").reshape(measures, -1)


def clear_day(session: Session, scored_on: date) -> None:
    """Delete a day's scores and scorings before it is scored again."""
    session.execute(delete(HealthScore).where(HealthScore.scored_on == scored_on))
    session.execute(delete(HealthScoring).where(HealthScoring.scored_on == scored_on))


def score_rows(
    writer: BulkWriter, scored_on: date, scores: pd.DataFrame, values: np.ndarray
) -> list[tuple]:
    """Return a day's scores as row tuples in COLUMNS order; `values` holds each row's measures."""
    # SQLite keeps dates as ISO text; PostgreSQL's COPY takes the date itself.
    day = scored_on if writer.postgres else scored_on.isoformat()
    score = scores["score"].astype(object).where(scores["score"].notna(), None)
    return list(
        zip(
            scores["account_id"].astype(int).tolist(),
            scores["scorecard_id"].astype(int).tolist(),
            [day] * len(scores),
            score.tolist(),
            scores["coverage"].astype(float).tolist(),
            scores["computed_band"].tolist(),
            scores["band"].tolist(),
            pack_measures(values),
            [writer.stamp] * len(scores),
            strict=True,
        )
    )


class ScoreWrites:
    """A day's scores inserted part by part, on a background thread if asked, while the caller goes on.

    The rows go through the session's connection, taken in the caller's thread; the caller
    wait()s before it uses the session itself, and close()s before it commits or rolls back
    (store/threads.py).
    """

    def __init__(self, session: Session, scored_on: date, now: datetime, background: bool) -> None:
        self._writer = BulkWriter(session, now)
        self._day = scored_on
        url = session.connection().engine.url
        self._flight = InFlight(background and shareable_across_threads(url))

    def write(self, scores: pd.DataFrame, values: np.ndarray) -> int:
        """Start inserting the scores once the previous part is in; return how many."""
        rows = score_rows(self._writer, self._day, scores, values)
        self._flight.submit(partial(self._writer.insert, "health_score", COLUMNS, rows))
        return len(rows)

    def wait(self) -> None:
        """Block until the parts handed in are inserted; raise what an insert raised."""
        self._flight.wait()

    def close(self) -> None:
        """Wait for the insert in flight, even when failing, and stop the thread."""
        self._flight.close()


@contextmanager
def score_writes(
    session: Session, scored_on: date, now: datetime, background: bool
) -> Iterator[ScoreWrites]:
    """Yield a ScoreWrites for the day; on leaving, every part handed in is inserted."""
    writes = ScoreWrites(session, scored_on, now, background)
    try:
        yield writes
        writes.wait()
    finally:
        writes.close()


def latest_day_before(session: Session, day: date) -> date | None:
    """Return the last scoring day before the day, if any."""
    return session.scalar(
        select(func.max(HealthScore.scored_on)).where(HealthScore.scored_on < day)
    )


def bands_on(session: Session, day: date | None, accounts: AccountRange | None = None) -> pd.Series:
    """Return each account's computed band on a scoring day (of the accounts in the range when
    given), indexed by account id."""
    if day is None:
        return pd.Series(dtype=object)
    on_day = [HealthScore.scored_on == day]
    if accounts is not None:  # one range of the (scored_on, account_id) index
        on_day.append(HealthScore.account_id.between(*accounts))
    # A band travels as its number among BAND_CODES: two integer columns, not a text per row.
    code = case(
        {band: number for number, band in enumerate(BAND_CODES)},
        value=HealthScore.computed_band,
        else_=len(BAND_CODES),
    )
    coded = read_integers_at_once(
        session, select(HealthScore.account_id, code).where(*on_day), CODED
    )
    if (coded["code"] < len(BAND_CODES)).all():
        order = np.argsort(coded["account_id"], kind="stable")
        bands = np.array(BAND_CODES, dtype=object)[coded["code"][order]]
        return pd.Series(bands, index=coded["account_id"][order], dtype=object)
    # A band written by other means: read the texts as they are.
    stmt = select(HealthScore.id, HealthScore.account_id, HealthScore.computed_band).where(*on_day)
    frame = read_columns(session, stmt, ["id", "account_id", "band"], BAND_KINDS)
    return pd.Series(
        frame["band"].astype(object).to_numpy(), index=frame["account_id"].to_numpy(), dtype=object
    )
