"""Scorecard weights that do not sum to 100 % are refused, naming the field; nothing is written."""

import pytest
from sqlalchemy import func, select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import Scorecard
from cstier.services.account_health.scorecards import ensure_default_scorecard, save_scorecard
from cstier.services.errors import ValidationFailed

HALF = {"key": "usage", "label": "Usage", "input": "usage.weekly_active_users", "kind": "linear",
        "low": 0, "high": 50}  # fmt: skip


@pytest.mark.parametrize("weights", [(40,), (60, 60), (50, 49.5)])
def test_weights_not_summing_to_100_are_refused(db_session, manager, weights):
    actor = Actor(manager.id, manager.role)
    ensure_default_scorecard(db.session)
    db.session.commit()
    default_id = db.session.scalar(select(Scorecard.id).where(Scorecard.scope == "default"))
    before = db.session.get(Scorecard, default_id).definition
    measures = [{**HALF, "key": f"m{i}", "weight": w} for i, w in enumerate(weights)]
    definition = {"measures": measures, "min_coverage": 0.6, "red_below": 40, "green_at": 70,
                  "hysteresis": 5}  # fmt: skip
    new = {"name": "Pooled", "scope": "coverage_model", "scope_key": "pooled",
           "definition": definition}  # fmt: skip
    with pytest.raises(ValidationFailed, match="weights: must sum to 100 %") as caught:
        save_scorecard(db.session, actor, None, new)
    assert "weights" in caught.value.errors
    edit = {"name": "Default", "scope": "default", "scope_key": None, "definition": definition}
    with pytest.raises(ValidationFailed, match="weights"):
        save_scorecard(db.session, actor, default_id, edit)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Scorecard)) == 1
    assert db.session.get(Scorecard, default_id).definition == before
