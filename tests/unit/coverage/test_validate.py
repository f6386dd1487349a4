"""Assignment refusals: inactive owner, model not served, hard capacity limit, overrides."""

from cstier.domain.coverage import Target, blocking, refusals
from tests.unit.coverage.conftest import HIGH, POOLED, book_frame


def target(**changes) -> Target:
    values = {
        "csm_id": 10,
        "name": "Cleo",
        "role": "csm",
        "active": True,
        "fte": 1.0,
        "model_ids": frozenset({HIGH}),
    }
    return Target(**{**values, **changes})


def batch(*models_and_arr):
    return book_frame([(i, None, m, a) for i, (m, a) in enumerate(models_and_arr, start=1)])


def codes(found):
    return [r.code for r in found]


def test_a_fitting_assignment_passes(models):
    assert refusals(target(), book_frame([]), batch((HIGH, 0)), models) == []


def test_inactive_is_refused_but_overridable(models):
    found = refusals(target(active=False), book_frame([]), batch((HIGH, 0)), models)
    assert codes(found) == ["inactive"]
    assert blocking(found, None) == found
    assert blocking(found, "covering during leave") == []


def test_not_a_csm_cannot_be_overridden(models):
    found = refusals(target(role="viewer"), book_frame([]), batch((HIGH, 0)), models)
    assert codes(blocking(found, "please")) == ["not_csm"]


def test_model_not_served_names_the_models(models):
    found = refusals(target(), book_frame([]), batch((POOLED, 0), (POOLED, 0)), models)
    assert codes(found) == ["model_not_served"]
    assert "Pooled (2 accounts)" in found[0].message


def test_model_not_served_lists_only_the_accounts_of_that_model(models):
    found = refusals(target(), book_frame([]), batch((HIGH, 0), (POOLED, 0), (POOLED, 0)), models)
    assert found[0].account_ids == (2, 3)  # account 1 is high-touch, which the CSM serves


def test_whole_batch_refusals_name_no_single_account(models):
    found = refusals(target(active=False), book_frame([]), batch((HIGH, 0)), models)
    assert codes(found) == ["inactive"] and found[0].account_ids == ()


def test_past_the_hard_limit_by_count(models):
    book = book_frame([(100 + i, 10, HIGH, 0) for i in range(61)])
    assert refusals(target(), book, batch((HIGH, 0)), models) == []  # 62 of 50: 124 %
    book = book_frame([(100 + i, 10, HIGH, 0) for i in range(62)])
    found = refusals(target(), book, batch((HIGH, 0)), models)
    assert codes(found) == ["over_hard_limit"]
    assert "126% of target by accounts" in found[0].message


def test_past_the_hard_limit_by_arr(models):
    found = refusals(target(), book_frame([]), batch((HIGH, 7_000_000_00)), models)
    assert codes(found) == ["over_hard_limit"]
    assert "by ARR" in found[0].message
