"""Where each kind of import lands: its table, column names, references and current rows."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import aliased

from cstier.models import (
    Account,
    AccountNeed,
    Company,
    Contact,
    Department,
    OnboardingMilestone,
    Subscription,
    Touch,
    UsageMetric,
    User,
)


@dataclass(frozen=True)
class Target:
    """How one kind's file columns map onto its table."""

    table: Table
    columns: dict[str, str]  # file column -> table column; references map to *_id
    current: Callable[[], Select]  # current rows in the file's vocabulary, plus "id"
    key_filter: object  # the column the first key part is looked up by
    defaults: dict[str, object] = field(default_factory=dict)
    timestamps: bool = True
    versioned: bool = False


def _companies() -> Select:
    parent = aliased(Company)
    return select(
        Company.id,
        Company.external_id,
        Company.name,
        Company.domain,
        Company.industry,
        Company.region,
        Company.country,
        Company.employees,
        Company.annual_revenue_cents.label("annual_revenue"),
        parent.external_id.label("parent_external_id"),
    ).outerjoin(parent, Company.parent_id == parent.id)


def _departments() -> Select:
    return select(
        Department.id,
        Department.external_id,
        Company.external_id.label("company_external_id"),
        Department.name,
    ).join(Company, Department.company_id == Company.id)


def _contacts() -> Select:
    return (
        select(
            Contact.id,
            Contact.external_id,
            Company.external_id.label("company_external_id"),
            Department.external_id.label("department_external_id"),
            Contact.name,
            Contact.email,
            Contact.title,
            Contact.role,
        )
        .join(Company, Contact.company_id == Company.id)
        .outerjoin(Department, Contact.department_id == Department.id)
    )


def _accounts() -> Select:
    return (
        select(
            Account.id,
            Account.external_id,
            Account.name,
            Account.unit_type,
            Company.external_id.label("company_external_id"),
            Department.external_id.label("department_external_id"),
            Contact.external_id.label("contact_external_id"),
            User.email.label("csm_email"),
            Account.arr_cents.label("arr"),
            Account.plan,
            Account.lifecycle_stage,
            Account.contract_start_date,
            Account.renewal_date,
            Account.attributes,
        )
        .join(Company, Account.company_id == Company.id)
        .outerjoin(Department, Account.department_id == Department.id)
        .outerjoin(Contact, Account.contact_id == Contact.id)
        .outerjoin(User, Account.csm_id == User.id)
    )


def _of_account(model, *columns) -> Callable[[], Select]:
    def build() -> Select:
        return select(model.id, Account.external_id.label("account_external_id"), *columns).join(
            Account, model.account_id == Account.id
        )

    return build


def _touches() -> Select:
    return (
        select(
            Touch.id,
            Touch.external_id,
            Account.external_id.label("account_external_id"),
            Touch.kind,
            Touch.occurred_on,
            User.email.label("csm_email"),
            Touch.note,
        )
        .join(Account, Touch.account_id == Account.id)
        .outerjoin(User, Touch.csm_id == User.id)
    )


TARGETS: dict[str, Target] = {
    "companies": Target(
        Company.__table__,
        {
            "external_id": "external_id",
            "name": "name",
            "domain": "domain",
            "industry": "industry",
            "region": "region",
            "country": "country",
            "employees": "employees",
            "annual_revenue": "annual_revenue_cents",
            "parent_external_id": "parent_id",
        },
        _companies,
        Company.external_id,
        versioned=True,
    ),
    "departments": Target(
        Department.__table__,
        {"external_id": "external_id", "company_external_id": "company_id", "name": "name"},
        _departments,
        Department.external_id,
        versioned=True,
    ),
    "contacts": Target(
        Contact.__table__,
        {
            "external_id": "external_id",
            "company_external_id": "company_id",
            "department_external_id": "department_id",
            "name": "name",
            "email": "email",
            "title": "title",
            "role": "role",
        },
        _contacts,
        Contact.external_id,
        versioned=True,
    ),
    "accounts": Target(
        Account.__table__,
        {
            "external_id": "external_id",
            "name": "name",
            "unit_type": "unit_type",
            "company_external_id": "company_id",
            "department_external_id": "department_id",
            "contact_external_id": "contact_id",
            "csm_email": "csm_id",
            "arr": "arr_cents",
            "plan": "plan",
            "lifecycle_stage": "lifecycle_stage",
            "contract_start_date": "contract_start_date",
            "renewal_date": "renewal_date",
        },
        _accounts,
        Account.external_id,
        defaults={"arr": 0},
        versioned=True,
    ),
    "subscriptions": Target(
        Subscription.__table__,
        {
            "external_id": "external_id",
            "account_external_id": "account_id",
            "product": "product",
            "start_date": "start_date",
            "end_date": "end_date",
            "mrr": "mrr_cents",
            "quantity": "quantity",
        },
        _of_account(
            Subscription,
            Subscription.external_id,
            Subscription.product,
            Subscription.start_date,
            Subscription.end_date,
            Subscription.mrr_cents.label("mrr"),
            Subscription.quantity,
        ),
        Subscription.external_id,
        defaults={"mrr": 0, "quantity": 1},
    ),
    "usage": Target(
        UsageMetric.__table__,
        {
            "account_external_id": "account_id",
            "metric": "metric",
            "period_start": "period_start",
            "value": "value",
        },
        _of_account(UsageMetric, UsageMetric.metric, UsageMetric.period_start, UsageMetric.value),
        Account.external_id,
        timestamps=False,
    ),
    "needs": Target(
        AccountNeed.__table__,
        {
            "external_id": "external_id",
            "account_external_id": "account_id",
            "code": "code",
            "source": "source",
            "validated": "validated",
            "importance": "importance",
            "captured_on": "captured_on",
            "note": "note",
        },
        _of_account(
            AccountNeed,
            AccountNeed.external_id,
            AccountNeed.code,
            AccountNeed.source,
            AccountNeed.validated,
            AccountNeed.importance,
            AccountNeed.captured_on,
            AccountNeed.note,
        ),
        AccountNeed.external_id,
        defaults={"source": "survey", "validated": False},
    ),
    "milestones": Target(
        OnboardingMilestone.__table__,
        {
            "external_id": "external_id",
            "account_external_id": "account_id",
            "name": "name",
            "due_date": "due_date",
            "completed_on": "completed_on",
            "plan_milestone": "plan_milestone",
        },
        _of_account(
            OnboardingMilestone,
            OnboardingMilestone.external_id,
            OnboardingMilestone.name,
            OnboardingMilestone.due_date,
            OnboardingMilestone.completed_on,
            OnboardingMilestone.plan_milestone,
        ),
        OnboardingMilestone.external_id,
    ),
    "touches": Target(
        Touch.__table__,
        {
            "external_id": "external_id",
            "account_external_id": "account_id",
            "kind": "kind",
            "occurred_on": "occurred_on",
            "csm_email": "csm_id",
            "note": "note",
        },
        _touches,
        Touch.external_id,
        defaults={"note": ""},
    ),
}
