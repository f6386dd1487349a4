"""factory_boy factories for the customer model."""

from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from cstier.extensions import db
from cstier.models import (
    Account,
    AccountNeed,
    Company,
    Contact,
    Department,
    Subscription,
    TierChange,
    UsageMetric,
    User,
)

PASSWORD = "correct-horse-42"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "csm"
    active = True
    password_hash = factory.LazyFunction(lambda: _hash(PASSWORD))


_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    """Hash once per run: scrypt is deliberately slow."""
    from werkzeug.security import generate_password_hash

    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


class CompanyFactory(BaseFactory):
    class Meta:
        model = Company

    external_id = factory.Sequence(lambda n: f"CO-{n:05d}")
    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '')}.example")
    industry = "Software"
    region = "EMEA"
    country = "DE"
    employees = 500
    annual_revenue_cents = 50_000_000_00


class DepartmentFactory(BaseFactory):
    class Meta:
        model = Department

    external_id = factory.Sequence(lambda n: f"DE-{n:05d}")
    name = factory.Sequence(lambda n: f"Department {n}")
    company = factory.SubFactory(CompanyFactory)


class ContactFactory(BaseFactory):
    class Meta:
        model = Contact

    external_id = factory.Sequence(lambda n: f"CT-{n:05d}")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    role = "decision_maker"
    company = factory.SubFactory(CompanyFactory)


class AccountFactory(BaseFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"AC-{n:05d}")
    name = factory.Sequence(lambda n: f"Account {n}")
    unit_type = "company"
    company = factory.SubFactory(CompanyFactory)
    arr_cents = 120_000_00
    plan = "Pro"
    lifecycle_stage = "active"
    contract_start_date = date(2026, 1, 1)
    renewal_date = date(2027, 1, 1)
    attributes = factory.LazyFunction(dict)


class AccountNeedFactory(BaseFactory):
    class Meta:
        model = AccountNeed

    external_id = factory.Sequence(lambda n: f"ND-{n:05d}")
    account_id = factory.LazyFunction(lambda: AccountFactory().id)
    code = "integration_help"
    source = "csm"
    validated = True


class SubscriptionFactory(BaseFactory):
    class Meta:
        model = Subscription

    external_id = factory.Sequence(lambda n: f"SU-{n:05d}")
    account = factory.SubFactory(AccountFactory)
    product = "Core"
    start_date = date(2025, 1, 1)
    end_date = None
    mrr_cents = 1_000_00
    quantity = 10


class UsageMetricFactory(BaseFactory):
    class Meta:
        model = UsageMetric

    account_id = factory.LazyFunction(lambda: AccountFactory().id)
    metric = "weekly_active_users"
    period_start = date(2026, 1, 1)
    value = 10.0


class TierChangeFactory(BaseFactory):
    """One tier history row as a run writes it, in the given `scheme` (a TierScheme)."""

    class Meta:
        model = TierChange
        exclude = ("scheme",)

    scheme = None
    scheme_id = factory.LazyAttribute(lambda row: row.scheme.id)
    dimension = factory.LazyAttribute(lambda row: row.scheme.dimension)
    from_tier = None
    reason = "rule"
    scheme_version = 1
