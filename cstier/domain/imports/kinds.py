"""The kinds of import file and their documented columns."""

from cstier.domain.customer import ACCOUNT_UNITS, CONTACT_ROLES, LIFECYCLE_STAGES
from cstier.domain.engagement import TOUCH_KINDS
from cstier.domain.imports.columns import ColumnSpec as C
from cstier.domain.imports.columns import KindSpec

NEED_SOURCES = ("survey", "csm")


def _external_id(what: str) -> C:
    return C("external_id", required=True, max_length=100, doc=f"Your system's id of the {what}.")


COMPANIES = KindSpec(
    "companies",
    "Companies",
    (
        _external_id("company"),
        C("name", required=True, max_length=200, doc="Company name."),
        C("domain", max_length=200, doc="Web domain, e.g. acme.example."),
        C("industry", max_length=100, doc="Industry or vertical."),
        C("region", max_length=50, doc="Sales region, e.g. NA, EMEA, APAC, LATAM."),
        C("country", max_length=2, doc="ISO 3166 two-letter country code."),
        C("employees", "int", minimum=0, doc="Number of employees."),
        C("annual_revenue", "money", doc="Annual revenue in currency units, e.g. 1234.50."),
        C("parent_external_id", ref="companies", max_length=100, doc="Parent company's id."),
    ),
    doc="Customer companies and their parent companies.",
)

DEPARTMENTS = KindSpec(
    "departments",
    "Departments",
    (
        _external_id("department"),
        C("company_external_id", required=True, ref="companies", max_length=100),
        C("name", required=True, max_length=200, doc="Department name."),
    ),
    doc="Departments or business units of companies.",
)

CONTACTS = KindSpec(
    "contacts",
    "Contacts",
    (
        _external_id("contact"),
        C("company_external_id", required=True, ref="companies", max_length=100),
        C("department_external_id", ref="departments", max_length=100),
        C("name", required=True, max_length=200, doc="Full name."),
        C("email", "email", max_length=254, doc="Email address."),
        C("title", max_length=200, doc="Job title."),
        C("role", "enum", required=True, choices=tuple(CONTACT_ROLES), doc="Buying-group role."),
    ),
    doc="People at the customer and their buying-group role.",
)

ACCOUNTS = KindSpec(
    "accounts",
    "Accounts",
    (
        _external_id("account"),
        C("name", required=True, max_length=200, doc="Account name."),
        C("unit_type", "enum", required=True, choices=tuple(ACCOUNT_UNITS), doc="Customer unit."),
        C("company_external_id", required=True, ref="companies", max_length=100),
        C(
            "department_external_id",
            ref="departments",
            max_length=100,
            doc="Needed by unit department.",
        ),
        C(
            "contact_external_id",
            ref="contacts",
            max_length=100,
            doc="Needed by unit decision_maker.",
        ),
        C("csm_email", "email", ref="csms", max_length=254, doc="Email of the owning CSM."),
        C("arr", "money", doc="Annual recurring revenue in currency units."),
        C("plan", max_length=50, doc="Plan name."),
        C("lifecycle_stage", "enum", required=True, choices=tuple(LIFECYCLE_STAGES)),
        C("contract_start_date", "date", doc="YYYY-MM-DD or an Excel date."),
        C("renewal_date", "date", doc="YYYY-MM-DD or an Excel date; not before the start."),
    ),
    doc="Accounts, the unit that is tiered; add attr.<key> columns for custom attributes.",
    allows_attributes=True,
    checks=(("contract_start_date", "renewal_date"),),
)

SUBSCRIPTIONS = KindSpec(
    "subscriptions",
    "Subscriptions",
    (
        _external_id("subscription"),
        C("account_external_id", required=True, ref="accounts", max_length=100),
        C("product", required=True, max_length=100, doc="Product name."),
        C("start_date", "date", required=True),
        C(
            "end_date",
            "date",
            doc=(
                "The first day it no longer runs; empty while it runs. A file giving the last"
                " day of service is imported with end dates inclusive (one day is added)."
            ),
        ),
        C("mrr", "money", doc="Monthly recurring revenue in currency units, not negative."),
        C("quantity", "int", minimum=0, doc="Seats or units (default 1)."),
    ),
    doc=(
        "Products accounts pay for, over a period: running from start_date until the day"
        " before end_date (an end date equal to the start date never runs)."
    ),
    checks=(("start_date", "end_date"),),
)

USAGE = KindSpec(
    "usage",
    "Usage metrics",
    (
        C("account_external_id", required=True, ref="accounts", max_length=100),
        C("metric", required=True, max_length=60, doc="Metric name, e.g. weekly_active_users."),
        C("period_start", "date", required=True, doc="First day of the period."),
        C("value", "float", required=True, doc="The figure for the period."),
    ),
    key=("account_external_id", "metric", "period_start"),
    doc="One usage figure per account, metric and period (no external id: the three identify it).",
)

NEEDS = KindSpec(
    "needs",
    "Needs",
    (
        _external_id("need"),
        C("account_external_id", required=True, ref="accounts", max_length=100),
        C("code", required=True, max_length=60, doc="Need code, e.g. integration_help."),
        C("source", "enum", choices=NEED_SOURCES, doc="survey (default) or csm."),
        C("validated", "bool", doc="true / false (default false)."),
        C("importance", "int", minimum=1, maximum=5, doc="1 to 5, from a survey."),
        C("captured_on", "date"),
        C("note", max_length=10_000, doc="Free text."),
    ),
    doc="Survey answers and validated needs.",
)

MILESTONES = KindSpec(
    "milestones",
    "Onboarding milestones",
    (
        _external_id("milestone"),
        C("account_external_id", required=True, ref="accounts", max_length=100),
        C("name", required=True, max_length=120, doc="Milestone name."),
        C("due_date", "date"),
        C("completed_on", "date", doc="Empty until completed."),
        C(
            "plan_milestone",
            max_length=60,
            doc="Key of the plan milestone this row completes, e.g. first_value.",
        ),
    ),
    doc="Steps of an account's onboarding plan.",
)

TOUCHES = KindSpec(
    "touches",
    "Touches",
    (
        _external_id("touch"),
        C("account_external_id", required=True, ref="accounts", max_length=100),
        C(
            "kind",
            "enum",
            required=True,
            choices=tuple(TOUCH_KINDS),
            doc="call, meeting, qbr, email.",
        ),
        C("occurred_on", "date", required=True, doc="The day of the touch."),
        C("csm_email", "email", ref="csms", max_length=254, doc="Email of the CSM who made it."),
        C("note", max_length=10_000, doc="Free text."),
    ),
    doc="Calls, meetings, QBRs and emails with accounts.",
)

KINDS: dict[str, KindSpec] = {
    k.name: k
    for k in (
        COMPANIES,
        DEPARTMENTS,
        CONTACTS,
        ACCOUNTS,
        SUBSCRIPTIONS,
        USAGE,
        NEEDS,
        MILESTONES,
        TOUCHES,
    )
}
