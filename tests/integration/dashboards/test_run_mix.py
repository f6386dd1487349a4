"""A run records the tier mix and coverage headcount the book holds after it, read from memory."""

from datetime import timedelta

from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import CoverageMixSnapshot, TierMixSnapshot
from cstier.services.metrics.churned import refresh_churned
from cstier.services.trends import current_model_mix, current_tier_mix
from tests.integration.dashboards.conftest import W10_RUN, run_and_record


def recorded(run_id):
    tiers = db.session.execute(
        select(
            TierMixSnapshot.scheme_id,
            TierMixSnapshot.tier,
            TierMixSnapshot.accounts,
            TierMixSnapshot.arr_cents,
        )
        .where(TierMixSnapshot.run_id == run_id)
        .order_by(TierMixSnapshot.scheme_id, TierMixSnapshot.tier)
    ).all()
    models = db.session.execute(
        select(
            CoverageMixSnapshot.coverage_model_id,
            CoverageMixSnapshot.accounts,
            CoverageMixSnapshot.arr_cents,
            CoverageMixSnapshot.required_csms,
            CoverageMixSnapshot.current_fte,
        )
        .where(CoverageMixSnapshot.run_id == run_id)
        .order_by(CoverageMixSnapshot.coverage_model_id)
    ).all()
    return tiers, models


def read_back(session):
    tiers = current_tier_mix(session).sort_values(["scheme_id", "tier"])
    models = current_model_mix(session).sort_values("coverage_model_id")
    return (
        [(int(r.scheme_id), r.tier, int(r.accounts), int(r.arr_cents)) for r in tiers.itertuples()],
        [
            (int(r.coverage_model_id), int(r.accounts), int(r.arr_cents), int(r.required_csms))
            for r in models.itertuples()
        ],
        {int(r.coverage_model_id): round(float(r.current_fte), 2) for r in models.itertuples()},
    )


def test_the_recorded_mix_is_the_book_read_back_after_the_run(monday, db_session):
    monday.unowned.lifecycle_stage = "churned"  # no subscriptions: its stage makes it churned
    db_session.commit()
    refresh_churned(db_session, W10_RUN.date())
    db_session.commit()

    run_id = run_and_record(db_session, W10_RUN + timedelta(days=1))

    tiers, models = recorded(run_id)
    expected_tiers, expected_models, fte = read_back(db_session)
    assert tiers == expected_tiers
    assert [row[:4] for row in models] == expected_models
    assert {row[0]: float(row[4]) for row in models} == fte
    # The churned account keeps its tier but leaves coverage.
    total = db_session.scalar(select(func.sum(TierMixSnapshot.accounts)).where(
        TierMixSnapshot.run_id == run_id, TierMixSnapshot.scheme_id == expected_tiers[0][0]
    ))  # fmt: skip
    assert total == 5
    assert sum(row[1] for row in models) == 4


def test_a_run_whose_schemes_read_no_arr_still_weighs_its_mix_by_the_arr_field(monday, db_session):
    from cstier.models import TierScheme
    from cstier.services.tiering.fields import FIELD_ARR_CENTS
    from cstier.services.tiering.schemes import validate
    from cstier.services.tiering.snapshot import read_snapshot

    needs = db_session.query(TierScheme).filter_by(key="needs_tiers").one()
    parsed = {needs.id: validate(db_session, needs.current.definition)}
    snapshot = read_snapshot(db_session, parsed, W10_RUN, committed=False, for_write=True)

    assert "arr" not in snapshot.accounts
    by_id = dict(
        zip(snapshot.accounts["account_id"], snapshot.accounts[FIELD_ARR_CENTS], strict=True)
    )
    assert by_id[monday.steady.id] == monday.steady.arr_cents == 500_000 * 100
