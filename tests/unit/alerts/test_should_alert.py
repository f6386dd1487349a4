"""The decision to alert is a pure function of the rule, the change and who listens."""

import pytest

from cstier.domain.alerts.rules import Change, Rule, cause, should_alert
from cstier.domain.permissions import Actor

VALUE = ("Strategic", "Growth", "Scale")
MANAGER = Actor(1, "cs_manager")
CSM = Actor(7, "csm")


def move(from_tier, to_tier, *, csm_id=7, region="EMEA", model=3, scheme_id=1, dimension="value"):
    return Change(
        source="tier", account_id=10, csm_id=csm_id, region=region, coverage_model_id=model,
        scheme_id=scheme_id, dimension=dimension, from_tier=from_tier, to_tier=to_tier,
        tiers=VALUE,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (move("Strategic", "Growth"), True),
        (move("Growth", "Strategic"), False),
        (move("Growth", "Scale", dimension="needs"), False),  # not a value tier
        (move(None, "Scale"), False),  # a first tiering is not an alert
    ],
)
def test_downgrade(change, expected):
    assert should_alert(Rule("downgrade"), change, MANAGER) is expected


@pytest.mark.parametrize(
    ("from_tier", "to_tier", "expected"),
    [("Growth", "Strategic", True), ("Strategic", "Scale", True), ("Growth", "Scale", False)],
)
def test_top_tier_in_or_out(from_tier, to_tier, expected):
    assert should_alert(Rule("top_tier"), move(from_tier, to_tier), MANAGER) is expected


def test_my_book_is_the_subscribers_own_accounts():
    rule = Rule("my_book")
    assert should_alert(rule, move("Growth", "Scale", csm_id=7), CSM)
    assert not should_alert(rule, move("Growth", "Scale", csm_id=8), CSM)


def test_a_csm_never_hears_of_accounts_outside_their_book():
    assert not should_alert(Rule("any_move"), move("Growth", "Scale", csm_id=8), CSM)
    assert should_alert(Rule("any_move"), move("Growth", "Scale", csm_id=8), MANAGER)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule("any_move", region="EMEA"), True),
        (Rule("any_move", region="NA"), False),
        (Rule("any_move", coverage_model_id=3), True),
        (Rule("any_move", coverage_model_id=4), False),
        (Rule("any_move", scheme_id=2), False),
        (Rule("any_move", tier="Scale"), True),
        (Rule("any_move", tier="Strategic"), False),
    ],
)
def test_filters_narrow(rule, expected):
    assert should_alert(rule, move("Growth", "Scale"), MANAGER) is expected


def test_coverage_changes_only_reach_coverage_and_book_rules():
    change = Change("coverage", 10, 7, "EMEA", coverage_model_id=2, from_model_id=1)
    assert should_alert(Rule("coverage_change"), change, MANAGER)
    assert should_alert(Rule("my_book"), change, CSM)
    assert not should_alert(Rule("downgrade"), change, MANAGER)
    assert should_alert(Rule("coverage_change", coverage_model_id=1), change, MANAGER)


def test_cause_names_a_scheme_change_or_a_data_change():
    assert cause("Value tiers", 2, 1) == "Scheme change: Value tiers version 1 → 2"
    assert cause("Value tiers", 2, 2) == "Data change"
    assert cause("Value tiers", 1, None) == "Data change"
