"""Past runs get the snapshots a run would have stored, rewound from today through the history."""

from sqlalchemy import delete, select

from cstier.extensions import db
from cstier.models import CoverageMixSnapshot, TierMixSnapshot
from cstier.services.trends import backfill_tier_mix


def stored():
    tiers = db.session.execute(
        select(
            TierMixSnapshot.run_id,
            TierMixSnapshot.scheme_id,
            TierMixSnapshot.tier,
            TierMixSnapshot.accounts,
            TierMixSnapshot.up,
            TierMixSnapshot.down,
            TierMixSnapshot.arr_up_cents,
            TierMixSnapshot.arr_down_cents,
        ).order_by(TierMixSnapshot.run_id, TierMixSnapshot.scheme_id, TierMixSnapshot.tier)
    ).all()
    models = db.session.execute(
        select(
            CoverageMixSnapshot.run_id,
            CoverageMixSnapshot.coverage_model_id,
            CoverageMixSnapshot.accounts,
            CoverageMixSnapshot.arr_cents,
            CoverageMixSnapshot.required_csms,
        ).order_by(CoverageMixSnapshot.run_id, CoverageMixSnapshot.coverage_model_id)
    ).all()
    return tiers, models


def forget_snapshots():
    db.session.execute(delete(TierMixSnapshot))
    db.session.execute(delete(CoverageMixSnapshot))
    db.session.commit()


def test_backfill_rebuilds_what_the_runs_recorded(monday, db_session):
    recorded = stored()
    forget_snapshots()

    summary = backfill_tier_mix(db_session)

    assert summary.runs == 2
    # ARR is today's for every run: the accounts' mix and moves match, the first run's ARR not.
    assert stored()[0] == recorded[0]
    assert [row[:3] for row in stored()[1]] == [row[:3] for row in recorded[1]]


def test_backfill_leaves_recorded_runs_alone(monday, db_session, runner):
    before = stored()

    result = runner.invoke(args=["tiers", "backfill-mix"])

    assert result.exit_code == 0 and "Stored the tier mix of 0 past runs." in result.output
    assert stored() == before
