"""Import cells no store can hold are row errors: non-finite numbers in every number column, NUL."""

import csv
import io

import pytest
from sqlalchemy import func, select

from cstier.domain.imports.kinds import KINDS
from cstier.extensions import db
from cstier.models import (
    Account,
    AccountNeed,
    Company,
    Contact,
    CustomAttribute,
    Department,
    OnboardingMilestone,
    Subscription,
    Touch,
    UsageMetric,
)
from tests.factories import AccountFactory

BAD = ["NaN", "nan", "Infinity", "-Infinity", "1e400"]
# One valid row per kind, around the account AC-1 of company CO-1.
VALID_ROWS = {
    "companies": {"external_id": "CO-2", "name": "Initech"},
    "departments": {"external_id": "DE-1", "company_external_id": "CO-1", "name": "Finance"},
    "contacts": {
        "external_id": "CT-1",
        "company_external_id": "CO-1",
        "name": "Ann",
        "role": "champion",
    },
    "accounts": {
        "external_id": "AC-2",
        "name": "Acme Two",
        "unit_type": "company",
        "company_external_id": "CO-1",
        "lifecycle_stage": "active",
    },
    "subscriptions": {
        "external_id": "SU-1",
        "account_external_id": "AC-1",
        "product": "Core",
        "start_date": "2026-01-01",
    },
    "usage": {
        "account_external_id": "AC-1",
        "metric": "wau",
        "period_start": "2026-01-01",
        "value": "5",
    },
    "needs": {"external_id": "NE-1", "account_external_id": "AC-1", "code": "help"},
    "milestones": {"external_id": "MS-1", "account_external_id": "AC-1", "name": "Kickoff"},
    "touches": {
        "external_id": "TO-1",
        "account_external_id": "AC-1",
        "kind": "call",
        "occurred_on": "2026-01-01",
    },
}
MODELS = {
    "companies": Company,
    "departments": Department,
    "contacts": Contact,
    "accounts": Account,
    "subscriptions": Subscription,
    "usage": UsageMetric,
    "needs": AccountNeed,
    "milestones": OnboardingMilestone,
    "touches": Touch,
}
NUMBER_COLUMNS = [
    (kind.name, spec.name)
    for kind in KINDS.values()
    for spec in kind.columns
    if spec.type in ("int", "float", "money")
] + [("accounts", "attr.nps")]
# Every column of every kind, and a custom attribute of each type.
TEXT_COLUMNS = [(kind.name, spec.name) for kind in KINDS.values() for spec in kind.columns] + [
    ("accounts", f"attr.{key}") for key in ("nps", "tool", "since", "plan_tier", "churned")
]


@pytest.fixture
def book(company):
    AccountFactory(external_id="AC-1", company=company)
    for key, data_type, choices in (
        ("nps", "number", []),
        ("tool", "text", []),
        ("since", "date", []),
        ("plan_tier", "choice", ["gold"]),
        ("churned", "boolean", []),
    ):
        db.session.add(CustomAttribute(key=key, label=key, data_type=data_type, choices=choices))
    db.session.commit()


def one_row_file(write_file, kind: str, column: str, value: str):
    row = VALID_ROWS[kind] | {column: value}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return write_file(f"{kind}.csv", out.getvalue())


def rows_of(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(MODELS[kind]))


def test_every_kind_has_a_valid_row(book, write_file, run_import):
    assert set(VALID_ROWS) == set(KINDS) == set(MODELS)
    for kind in KINDS:
        outcome = run_import(kind, one_row_file(write_file, kind, "external_id", "X-1"))
        assert outcome.ok, (kind, outcome.errors.as_json())


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    ("kind", "column"), NUMBER_COLUMNS, ids=[f"{k}/{c}" for k, c in NUMBER_COLUMNS]
)
def test_every_number_column_refuses_non_finite_values(
    book, write_file, run_import, kind, column, bad
):
    before = rows_of(kind), db.session.scalar(select(Account.attributes).where(Account.id > 0))

    outcome = run_import(kind, one_row_file(write_file, kind, column, bad))

    assert outcome.status == "failed"
    assert [(e.row, e.column, e.value) for e in outcome.errors.items] == [(2, column, bad)]
    assert "number" in outcome.errors.items[0].reason or "amount" in outcome.errors.items[0].reason
    db.session.expire_all()
    after = rows_of(kind), db.session.scalar(select(Account.attributes).where(Account.id > 0))
    assert after == before


@pytest.mark.parametrize(
    ("kind", "column"), TEXT_COLUMNS, ids=[f"{k}/{c}" for k, c in TEXT_COLUMNS]
)
def test_a_nul_character_in_any_cell_is_a_row_error(book, write_file, run_import, kind, column):
    before = rows_of(kind)
    value = VALID_ROWS[kind].get(column) or "x"

    outcome = run_import(kind, one_row_file(write_file, kind, column, f"{value}\x00"))

    assert outcome.status == "failed"
    nul = [e for e in outcome.errors.as_json() if e["reason"].startswith("contains a NUL")]
    # Shown written out: the run's errors are JSON, which PostgreSQL cannot store a NUL in.
    assert nul == [
        {"row": 2, "column": column, "value": f"{value}\\x00", "reason": nul[0]["reason"]}
    ]
    db.session.expire_all()
    assert rows_of(kind) == before
