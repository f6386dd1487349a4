"""Needs signals from records: validated needs, active subscriptions and usage drive the tiers."""

from datetime import date

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import create_scheme
from tests.factories import (
    AccountFactory,
    AccountNeedFactory,
    SubscriptionFactory,
    UsageMetricFactory,
)
from tests.integration.tiering.conftest import JAN, tier_of


def book_of(db_session, *names):
    return load_book(db_session, set(names), field_catalog(db_session))


def row(book, account):
    return book.set_index("account_id").loc[account.id]


def test_need_counts_come_from_needs_records_else_the_attribute(db_session):
    with_needs = AccountFactory(attributes={"validated_need_count": 5})
    AccountNeedFactory(account_id=with_needs.id, code="integration_help", validated=True)
    AccountNeedFactory(account_id=with_needs.id, code="exec_reporting", validated=False)
    only_attribute = AccountFactory(attributes={"validated_need_count": 4})
    nothing = AccountFactory()
    book = book_of(db_session, "validated_need_count", "need_count")
    assert row(book, with_needs)["validated_need_count"] == 1  # records beat the attribute
    assert row(book, with_needs)["need_count"] == 2
    assert row(book, only_attribute)["validated_need_count"] == 4
    assert book.set_index("account_id")["validated_need_count"].isna()[nothing.id]


def test_need_codes_are_fields_true_only_for_validated_needs(db_session):
    validated = AccountFactory()
    AccountNeedFactory(account_id=validated.id, code="integration_help", validated=True)
    survey_only = AccountFactory()
    AccountNeedFactory(account_id=survey_only.id, code="integration_help", validated=False)
    none = AccountFactory()
    catalog = field_catalog(db_session)
    assert catalog["need.integration_help"] == "boolean"
    book = book_of(db_session, "need.integration_help")
    holders = book.set_index("account_id")["need.integration_help"]
    assert holders[validated.id] and not holders[survey_only.id] and not holders[none.id]


def test_products_and_seats_come_from_active_subscriptions(db_session):
    # Read today: the subscriptions with an end date ended before it.
    account = AccountFactory(attributes={"seats": 999, "product_count": 9})
    SubscriptionFactory(account=account, product="Core", quantity=40)
    SubscriptionFactory(account=account, product="Analytics", quantity=10)
    SubscriptionFactory(account=account, product="Core", quantity=5)
    SubscriptionFactory(account=account, product="Legacy", quantity=500, end_date=date(2026, 1, 31))
    lapsed = AccountFactory(attributes={"seats": 7})
    SubscriptionFactory(account=lapsed, quantity=300, end_date=date(2025, 12, 31))
    book = book_of(db_session, "seats", "product_count")
    assert (row(book, account)["seats"], row(book, account)["product_count"]) == (55, 2)
    assert row(book, lapsed)["seats"] == 7  # no active subscription: the attribute holds


def test_usage_fields_read_the_latest_period(db_session):
    account = AccountFactory()
    UsageMetricFactory(account_id=account.id, period_start=date(2026, 1, 1), value=10)
    UsageMetricFactory(account_id=account.id, period_start=date(2026, 2, 1), value=25)
    UsageMetricFactory(account_id=account.id, metric="api_calls", value=9000)
    silent = AccountFactory()
    assert field_catalog(db_session)["usage.weekly_active_users"] == "number"
    book = book_of(db_session, "usage.weekly_active_users", "usage.api_calls")
    assert row(book, account)["usage.weekly_active_users"] == 25
    assert row(book, account)["usage.api_calls"] == 9000
    assert book.set_index("account_id")["usage.api_calls"].isna()[silent.id]


@pytest.mark.parametrize("validated, expected", [(True, "Integration"), (False, "Other")])
def test_a_rule_on_a_need_code_tiers_the_account(db_session, admin, validated, expected):
    account = AccountFactory()
    AccountNeedFactory(account_id=account.id, code="integration_help", validated=validated)
    definition = {
        "dimension": "segment",
        "name": "Needs focus",
        "method": "rules",
        "rules": [
            {
                "name": "Needs integration help",
                "tier": "Integration",
                "conditions": [{"field": "need.integration_help", "op": "eq", "value": True}],
            }
        ],
        "default": "Other",
    }
    create_scheme(db_session, Actor(admin.id, "admin"), definition)
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    assert tier_of(account.id, "needs_focus").tier == expected


def test_the_catalog_names_each_need_code_and_usage_metric_once(db_session):
    for code in ("exec_reporting", "integration_help", "exec_reporting"):
        AccountNeedFactory(account_id=AccountFactory().id, code=code)
    for metric, month in [("seats_used", 1), ("api_calls", 1), ("seats_used", 2)]:
        UsageMetricFactory(account_id=AccountFactory().id, metric=metric,
                           period_start=date(2026, month, 1))  # fmt: skip
    catalog = field_catalog(db_session)
    records = [name for name in catalog if name.startswith(("need.", "usage."))]
    assert records == [
        "need.exec_reporting",
        "need.integration_help",
        "usage.api_calls",
        "usage.seats_used",
    ]
