import numpy as np
import pandas as pd
import pytest

from cstier.domain.tiering import evaluate, parse_scheme
from cstier.domain.tiering.defaults import DEFAULT_FIELDS, REGION_SEGMENTS, SIZE_SEGMENTS
from tests.unit.tiering.conftest import FIELDS, accounts


def one_rule(field, op, value=None, match="all"):
    condition = {"field": field, "op": op}
    if value is not None:
        condition["value"] = value
    definition = {
        "dimension": "segment",
        "rules": [{"name": "Test", "tier": "Hit", "match": match, "conditions": [condition]}],
        "default": "Miss",
    }
    return parse_scheme(definition, FIELDS)


NUMBERS = [10.0, 20.0, 30.0, np.nan]
TEXTS = ["EMEA", "NA", "", None]
DATES = pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01", None])
FLAGS = pd.Series([True, False, None, True], dtype=object)


@pytest.mark.parametrize(
    ("field", "column", "op", "value", "hits"),
    [
        ("employees", NUMBERS, "eq", 20, [0, 1, 0, 0]),
        ("employees", NUMBERS, "=", 20, [0, 1, 0, 0]),
        ("employees", NUMBERS, "ne", 20, [1, 0, 1, 0]),
        ("employees", NUMBERS, "≠", 20, [1, 0, 1, 0]),
        ("employees", NUMBERS, "lt", 20, [1, 0, 0, 0]),
        ("employees", NUMBERS, "<", 20, [1, 0, 0, 0]),
        ("employees", NUMBERS, "le", 20, [1, 1, 0, 0]),
        ("employees", NUMBERS, "≤", 20, [1, 1, 0, 0]),
        ("employees", NUMBERS, "gt", 20, [0, 0, 1, 0]),
        ("employees", NUMBERS, ">", 20, [0, 0, 1, 0]),
        ("employees", NUMBERS, "ge", 20, [0, 1, 1, 0]),
        ("employees", NUMBERS, "≥", 20, [0, 1, 1, 0]),
        ("employees", NUMBERS, "in", [10, 30], [1, 0, 1, 0]),
        ("employees", NUMBERS, "not_in", [10, 30], [0, 1, 0, 0]),
        ("employees", NUMBERS, "between", [10, 20], [1, 1, 0, 0]),
        ("employees", NUMBERS, "is_empty", None, [0, 0, 0, 1]),
        ("region", TEXTS, "eq", "EMEA", [1, 0, 0, 0]),
        ("region", TEXTS, "ne", "EMEA", [0, 1, 1, 0]),
        ("region", TEXTS, "in", ["NA", "APAC"], [0, 1, 0, 0]),
        ("region", TEXTS, "not_in", ["NA"], [1, 0, 1, 0]),
        ("region", TEXTS, "contains", "em", [1, 0, 0, 0]),
        ("region", TEXTS, "is_empty", None, [0, 0, 1, 1]),
        ("attr.plan", TEXTS, "eq", "NA", [0, 1, 0, 0]),
        ("renewal_date", DATES, "lt", "2024-06-01", [1, 0, 0, 0]),
        ("renewal_date", DATES, "ge", "2024-06-01", [0, 1, 1, 0]),
        ("renewal_date", DATES, "between", ["2024-02-01", "2025-01-01"], [0, 1, 1, 0]),
        ("renewal_date", DATES, "in", ["2025-01-01"], [0, 0, 1, 0]),
        ("renewal_date", DATES, "is_empty", None, [0, 0, 0, 1]),
        ("is_strategic", FLAGS, "eq", True, [1, 0, 0, 1]),
        ("is_strategic", FLAGS, "ne", True, [0, 1, 0, 0]),
        ("is_strategic", FLAGS, "is_empty", None, [0, 0, 1, 0]),
    ],
)
def test_every_operator(field, column, op, value, hits):
    result = evaluate(one_rule(field, op, value), accounts(**{field: column}))
    assert result["tier"].tolist() == ["Hit" if hit else "Miss" for hit in hits]


def test_dates_given_as_text_are_compared_as_dates():
    frame = accounts(renewal_date=["2024-01-01", "not a date"])
    result = evaluate(one_rule("renewal_date", "lt", "2024-06-01"), frame)
    assert result["tier"].tolist() == ["Hit", "Miss"]


def test_first_matching_rule_wins_and_explains_itself():
    definition = {
        "dimension": "segment",
        "rules": [
            {
                "name": "EMEA enterprise",
                "tier": "Enterprise EMEA",
                "conditions": [
                    {"field": "region", "op": "=", "value": "EMEA"},
                    {"field": "employees", "op": "≥", "value": 2000},
                ],
            },
            {
                "name": "Enterprise",
                "tier": "Enterprise",
                "conditions": [{"field": "employees", "op": "ge", "value": 2000}],
            },
        ],
        "default": "Other",
    }
    frame = accounts(region=["EMEA", "NA", "EMEA"], employees=[5000.0, 5000.0, 10.0])
    result = evaluate(parse_scheme(definition, FIELDS), frame)
    assert result["tier"].tolist() == ["Enterprise EMEA", "Enterprise", "Other"]
    assert result["explanation"].tolist() == [
        "Rule 1 'EMEA enterprise': region = EMEA and employees ≥ 2,000 → Enterprise EMEA",
        "Rule 2 'Enterprise': employees ≥ 2,000 → Enterprise",
        "No rule matched → default Other",
    ]


def test_any_rule_names_the_condition_that_matched():
    definition = {
        "dimension": "segment",
        "rules": [
            {
                "name": "Tech",
                "tier": "Tech",
                "match": "any",
                "conditions": [
                    {"field": "industry", "op": "in", "value": ["Software", "Internet"]},
                    {"field": "attr.tech_stack", "op": "contains", "value": "salesforce"},
                ],
            }
        ],
    }
    frame = accounts(
        industry=["Software", "Retail", "Retail"],
        **{"attr.tech_stack": ["", "Salesforce, Jira", None]},
    )
    result = evaluate(parse_scheme(definition, FIELDS), frame)
    assert result["tier"].tolist() == ["Tech", "Tech", "Other"]
    assert result["explanation"].tolist()[:2] == [
        "Rule 1 'Tech': industry in Software, Internet → Tech",
        "Rule 1 'Tech': attr.tech_stack contains salesforce → Tech",
    ]


def test_seeded_size_and_region_segments():
    size = parse_scheme(SIZE_SEGMENTS, DEFAULT_FIELDS)
    frame = accounts(employees=[199.0, 200.0, 1999.0, 2000.0, np.nan])
    assert evaluate(size, frame)["tier"].tolist() == [
        "SMB",
        "Mid-market",
        "Mid-market",
        "Enterprise",
        "Unknown",
    ]
    region = parse_scheme(REGION_SEGMENTS, DEFAULT_FIELDS)
    assert evaluate(region, accounts(region=["LATAM", "Mars"]))["tier"].tolist() == [
        "LATAM",
        "Other",
    ]


def test_missing_column_is_reported():
    with pytest.raises(ValueError, match="region"):
        evaluate(one_rule("region", "eq", "NA"), accounts(employees=[1.0]))


def test_static_segment():
    definition = {
        "dimension": "segment",
        "method": "static",
        "name": "Lighthouse",
        "members": [{"account_id": 2, "tier": "Lighthouse"}, {"account_id": "3", "tier": "Watch"}],
    }
    result = evaluate(parse_scheme(definition, FIELDS), accounts(arr=[1.0, 2.0, 3.0]))
    assert result["tier"].tolist() == ["Other", "Lighthouse", "Watch"]
    assert result["explanation"].tolist() == [
        "Not listed → default Other",
        "Hand-picked in 'Lighthouse' → Lighthouse",
        "Hand-picked in 'Lighthouse' → Watch",
    ]
