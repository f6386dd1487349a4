"""The tiering preview shows the CSM headcount each coverage model would need."""

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.tiering.defaults import VALUE_TIERS
from cstier.extensions import db
from cstier.models import TierScheme
from cstier.services.tiering.preview import preview_scheme
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory


def _models_needed(frame, column: str) -> set[str]:
    return set(frame.loc[frame[column] > 0, "key"])


def test_preview_reports_headcount_now_and_if_applied(db_session):
    ensure_default_schemes(db.session)  # as setting the workspace up does
    AccountFactory.create_batch(3, arr_cents=10_000_00)  # Scale today
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli")
    value = db.session.scalar(db.select(TierScheme).filter_by(dimension="value"))
    everyone_strategic = {
        **VALUE_TIERS,
        "hysteresis": None,
        "bands": [
            {"tier": "Strategic", "min": 1},
            {"tier": "Growth", "min": 0.5, "max": 1},
            {"tier": "Scale", "max": 0.5},
        ],
    }
    everyone_strategic.pop("hysteresis")
    result = preview_scheme(db.session, SYSTEM_ACTOR, value.id, everyone_strategic)
    headcount = result.headcount
    assert headcount is not None
    assert {"required_now", "required", "current", "key"} <= set(headcount.columns)
    now, after = _models_needed(headcount, "required_now"), _models_needed(headcount, "required")
    assert now and after and now != after  # moving every account to Strategic changes the model
    assert result.accounts_moving == 3
