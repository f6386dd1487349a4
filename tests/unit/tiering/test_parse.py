import pytest

from cstier.domain.tiering import InvalidScheme, parse_scheme
from cstier.domain.tiering.defaults import DEFAULT_FIELDS, DEFAULT_SCHEMES, NEEDS_TIERS, VALUE_TIERS
from tests.unit.tiering.conftest import FIELDS


def rule_scheme(condition):
    return {
        "dimension": "segment",
        "rules": [{"name": "R", "tier": "T", "conditions": [condition]}],
    }


def value_with(bands):
    return {**VALUE_TIERS, "bands": bands}


PERCENTILES = {"dimension": "value", "method": "percentiles"}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            value_with([{"tier": "A", "min": 100}, {"tier": "B", "max": 50}]),
            "gap between 50 and 100",
        ),
        (
            value_with([{"tier": "A", "min": 50}, {"tier": "B", "max": 100}]),
            "overlap between 50 and 100",
        ),
        (
            value_with([{"tier": "A", "min": 50, "max": 100}, {"tier": "B", "max": 50}]),
            "from 100 up have no band",
        ),
        (
            value_with([{"tier": "A", "min": 50}, {"tier": "B", "min": 0, "max": 50}]),
            "below 0 have no band",
        ),
        (value_with([{"tier": "A"}, {"tier": "B"}]), "overlap"),
        (value_with([{"tier": "A", "min": 5, "max": 5}]), "not below its max"),
        (value_with([]), "band list is empty"),
        (value_with([{"tier": "A", "min": 10}, {"tier": "A", "max": 10}]), "Duplicate tier 'A'"),
        ({**VALUE_TIERS, "field": "revenue"}, "Unknown field 'revenue'"),
        ({**VALUE_TIERS, "field": "region"}, "a number field is needed"),
        (
            {**VALUE_TIERS, "expansion": {"field": "expansion_potential", "weight": -1}},
            "at least 0",
        ),
        ({**VALUE_TIERS, "strategic_flag": {"field": "arr"}}, "must be boolean"),
        (
            {
                **PERCENTILES,
                "percentiles": [{"tier": "A", "share": 10}, {"tier": "B", "share": 80}],
            },
            "add up to 90",
        ),
        ({**PERCENTILES, "percentiles": []}, "percentile list is empty"),
        (
            {
                **PERCENTILES,
                "percentiles": [{"tier": "A", "share": 50}, {"tier": "A", "share": 50}],
            },
            "Duplicate tier",
        ),
        (
            {**NEEDS_TIERS, "components": [{"field": "seats", "weight": -2, "min": 0, "max": 1}]},
            "at least 0",
        ),
        (
            {**NEEDS_TIERS, "components": [{"field": "seats", "weight": 0, "min": 0, "max": 1}]},
            "weights are zero",
        ),
        (
            {**NEEDS_TIERS, "components": [{"field": "seatz", "weight": 1, "min": 0, "max": 1}]},
            "Unknown field 'seatz'",
        ),
        (
            {**NEEDS_TIERS, "components": [{"field": "region", "weight": 1, "min": 0, "max": 1}]},
            "number field",
        ),
        (
            {**NEEDS_TIERS, "components": [{"field": "seats", "weight": 1, "min": 5, "max": 1}]},
            "must be below",
        ),
        ({**NEEDS_TIERS, "components": []}, "component list is empty"),
        (
            {
                **NEEDS_TIERS,
                "thresholds": [{"tier": "H", "min": 30}, {"tier": "M", "min": 60}, {"tier": "L"}],
            },
            "overlap",
        ),
        (
            {**NEEDS_TIERS, "thresholds": [{"tier": "H", "min": 60}, {"tier": "L", "min": 10}]},
            "below 10 have no tier",
        ),
        (
            {**NEEDS_TIERS, "thresholds": [{"tier": "H", "min": 60}, {"tier": "H"}]},
            "Duplicate tier",
        ),
        ({**NEEDS_TIERS, "thresholds": []}, "threshold list is empty"),
        (
            rule_scheme({"field": "region", "op": "contains", "value": "E"}) | {"rules": []},
            "rule list is empty",
        ),
        (
            rule_scheme({"field": "employees", "op": "contains", "value": "1"}),
            "does not apply to number",
        ),
        (
            rule_scheme({"field": "is_strategic", "op": "<", "value": True}),
            "does not apply to boolean",
        ),
        (rule_scheme({"field": "region", "op": "gt", "value": "A"}), "does not apply to text"),
        (rule_scheme({"field": "region", "op": "like", "value": "A"}), "Unknown operator 'like'"),
        (
            rule_scheme({"field": "regoin", "op": "eq", "value": "A"}),
            "Unknown field 'regoin' in rule 1 'R'",
        ),
        (rule_scheme({"field": "employees", "op": "eq", "value": "many"}), "must be a number"),
        (
            rule_scheme({"field": "employees", "op": "between", "value": [5, 1]}),
            "low 5.0 above high 1.0",
        ),
        (rule_scheme({"field": "employees", "op": "in", "value": []}), "value list"),
        (rule_scheme({"field": "renewal_date", "op": "lt", "value": "soon"}), "must be a date"),
        (rule_scheme({"field": "is_strategic", "op": "eq", "value": "yes"}), "true or false"),
        ({"dimension": "segment", "method": "static", "members": []}, "empty"),
        (
            {
                "dimension": "segment",
                "method": "static",
                "members": [{"account_id": 1, "tier": "A"}, {"account_id": "1", "tier": "B"}],
            },
            "listed in two tiers",
        ),
        ({"dimension": "colour"}, "Dimension must be one of"),
        ({**VALUE_TIERS, "method": "vibes"}, "Method of a value scheme"),
        ({**VALUE_TIERS, "hysteresis": {"margin_pct": 5, "runs": 2}}, "exactly one"),
        ({**VALUE_TIERS, "hysteresis": {"runs": 0}}, "at least 1"),
        (
            rule_scheme({"field": "region", "op": "eq", "value": "A"})
            | {"hysteresis": {"margin_pct": 5}},
            "only use 'runs'",
        ),
    ],
)
def test_invalid_schemes_are_explained(definition, message):
    with pytest.raises(InvalidScheme, match=message):
        parse_scheme(definition, FIELDS)


def test_duplicate_rule_names_are_rejected():
    rule = {"name": "R", "tier": "T", "conditions": [{"field": "region", "op": "eq", "value": "A"}]}
    with pytest.raises(InvalidScheme, match="Duplicate rule name 'R'"):
        parse_scheme({"dimension": "segment", "rules": [rule, rule]}, FIELDS)


@pytest.mark.parametrize("definition", DEFAULT_SCHEMES, ids=lambda d: d["name"])
def test_seeded_schemes_parse_and_keep_metadata(definition):
    scheme = parse_scheme(definition, DEFAULT_FIELDS)
    assert scheme.goal and scheme.kpi
    assert scheme.goal == definition["goal"]


def test_number_mapping_keys_are_read_as_numbers():
    component = {"field": "seats", "weight": 1, "mapping": {"1": 0.2, "2": 1}}
    scheme = parse_scheme({**NEEDS_TIERS, "components": [component]}, FIELDS)
    assert dict(scheme.components[0].mapping) == {1.0: 0.2, 2.0: 1.0}


@pytest.mark.parametrize("key", ["nan", "NaN", "inf", "-Infinity", "1e400"])
def test_number_mapping_keys_must_be_finite(key):
    component = {"field": "seats", "weight": 1, "mapping": {key: 0.2, "2": 1}}
    with pytest.raises(InvalidScheme, match=f"Mapping key '{key}' .* must be a finite number"):
        parse_scheme({**NEEDS_TIERS, "components": [component]}, FIELDS)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_a_non_finite_number_anywhere_in_a_definition_is_refused(number):
    """Numbers the engine ignores are stored too, and no store or JSON reader takes NaN."""
    definition = {**VALUE_TIERS, "notes": {"budget": [1, number]}}
    with pytest.raises(InvalidScheme, match=r"definition's notes\.budget\.1 must be a finite"):
        parse_scheme(definition, FIELDS)
