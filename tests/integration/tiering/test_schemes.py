"""Scheme edits: invalid definitions are refused whole; a valid edit is the next version."""

import copy

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.domain.tiering.defaults import SIZE_SEGMENTS, VALUE_TIERS
from cstier.models import TierChange, TierSchemeVersion
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering import preview, schemes
from cstier.services.tiering.run import run_tiering
from tests.integration.tiering.conftest import FEB, JAN, changes_of, count, last_run, tier_count


def edited(base: dict, **changes) -> dict:
    definition = copy.deepcopy(base)
    definition.update(changes)
    return definition


def scheme_id(db_session, key: str) -> int:
    schemes.ensure_default_schemes(db_session)
    db_session.commit()
    return next(s.id for s in schemes.active_schemes(db_session) if s.key == key)


BAD_VALUE = {
    "gap": edited(VALUE_TIERS, bands=[{"tier": "A", "min": 100}, {"tier": "B", "max": 50}]),
    "overlap": edited(
        VALUE_TIERS,
        bands=[
            {"tier": "A", "min": 100},
            {"tier": "B", "min": 10, "max": 150},
            {"tier": "C", "max": 10},
        ],
    ),
    "unknown field": edited(VALUE_TIERS, field="profit"),
    "empty tier list": edited(VALUE_TIERS, bands=[]),
}
BAD_SEGMENT = {
    "wrong operator for type": edited(
        SIZE_SEGMENTS,
        rules=[
            {"name": "R", "tier": "R", "conditions": [{"field": "region", "op": "lt", "value": 5}]}
        ],
    ),
}


@pytest.mark.parametrize(("key", "definition"), [
    *(("value_tiers", d) for d in BAD_VALUE.values()),
    *(("company_size", d) for d in BAD_SEGMENT.values()),
    ("needs_tiers", None),
], ids=[*BAD_VALUE, *BAD_SEGMENT, "negative weight"])  # fmt: skip
def test_invalid_scheme_is_refused_and_nothing_saved(db_session, admin_actor, key, definition):
    if definition is None:
        from cstier.domain.tiering.defaults import NEEDS_TIERS

        definition = copy.deepcopy(NEEDS_TIERS)
        definition["components"][0]["weight"] = -5
    target = scheme_id(db_session, key)
    versions = count(TierSchemeVersion)
    with pytest.raises(ValidationFailed) as error:
        schemes.save_version(db_session, admin_actor, target, definition, 1)
    db_session.rollback()
    assert str(error.value)
    assert count(TierSchemeVersion) == versions
    assert schemes.get_scheme(db_session, target).current_version == 1


def test_valid_edit_is_next_version_and_the_next_run_uses_it(db_session, book, admin_actor):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    target = scheme_id(db_session, "value_tiers")
    lower = edited(VALUE_TIERS, bands=[
        {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
        {"tier": "Scale", "max": 40_000},
    ])  # fmt: skip
    version = schemes.save_version(db_session, admin_actor, target, lower, 1)
    assert version.version == 2
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert last_run().scheme_versions["value_tiers"] == 2
    moved = changes_of(book["mid"].id)[-1]
    assert (moved.to_tier, moved.scheme_version) == ("Strategic", 2)


def test_only_admins_edit_schemes(db_session, manager_actor):
    target = scheme_id(db_session, "value_tiers")
    with pytest.raises(Forbidden):
        schemes.save_version(db_session, manager_actor, target, VALUE_TIERS, 1)


def test_preview_returns_movement_and_writes_nothing(db_session, book):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    target = scheme_id(db_session, "value_tiers")
    before = (tier_count(), count(TierChange), count(TierSchemeVersion))
    draft = edited(VALUE_TIERS, bands=[
        {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
        {"tier": "Scale", "max": 40_000},
    ])  # fmt: skip
    result = preview.preview_scheme(db_session, SYSTEM_ACTOR, target, draft)
    assert (result.accounts_evaluated, result.accounts_moving) == (3, 2)
    assert result.arr_moving == 149_000
    moves = result.matrix.set_index(["from_tier", "to_tier"])["accounts"].to_dict()
    assert moves[("Growth", "Strategic")] == 1
    assert moves[("Scale", "Growth")] == 1
    assert moves[("Strategic", "Strategic")] == 1
    assert (tier_count(), count(TierChange), count(TierSchemeVersion)) == before


def test_a_run_between_opening_and_saving_a_scheme_does_not_refuse_the_edit(
    db_session, book, admin_actor
):
    target = scheme_id(db_session, "value_tiers")
    opened = schemes.get_scheme(db_session, target).current_version
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)

    version = schemes.save_version(db_session, admin_actor, target, VALUE_TIERS, opened)

    assert version.version == opened + 1
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=FEB)
    assert last_run().scheme_versions["value_tiers"] == opened + 1
