"""A scoring day's computed bands read back per account, whatever text a band holds."""

from datetime import UTC, date, datetime

from cstier.extensions import db
from cstier.models import HealthScore
from cstier.store.health_scores import bands_on

DAY = date(2026, 3, 10)


def add_scores(day: date, bands: dict[int, str]) -> None:
    for account_id, band in bands.items():
        db.session.add(
            HealthScore(
                account_id=account_id,
                scorecard_id=1,
                scored_on=day,
                score=50.0,
                coverage=1.0,
                computed_band=band,
                band=band,
                measures=b"",
                computed_at=datetime(2026, 3, 10, tzinfo=UTC),
            )  # fmt: skip
        )
    db.session.flush()


def test_each_accounts_band_of_the_day_in_a_range_or_all(db_session):
    bands = {7: "green", 3: "red", 12: "insufficient", 5: "yellow", 9: "red"}
    add_scores(DAY, bands)
    add_scores(date(2026, 3, 9), {7: "red", 4: "green"})
    assert bands_on(db.session, DAY).to_dict() == bands
    assert bands_on(db.session, DAY, (4, 9)).to_dict() == {5: "yellow", 7: "green", 9: "red"}
    assert bands_on(db.session, DAY, (20, 30)).empty
    assert bands_on(db.session, None).empty


def test_a_band_of_another_text_is_read_as_it_is(db_session):
    add_scores(DAY, {1: "green", 2: "amber", 3: "insufficient"})
    assert bands_on(db.session, DAY).to_dict() == {1: "green", 2: "amber", 3: "insufficient"}
