"""A companies file whose parent links go round in a circle is refused whole."""

import pytest
from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import Company
from tests.factories import CompanyFactory

HEADER = "external_id,name,parent_external_id"


def companies_file(write_file, *lines: str):
    return write_file("c.csv", "\n".join([HEADER, *lines]) + "\n")


def cycle_errors(outcome) -> list[tuple]:
    assert outcome.status == "failed"
    return sorted((e.row, e.column, e.value, e.reason) for e in outcome.errors.items)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["A,Alpha,B", "B,Beta,A"],
            [(2, "A → B → A", "B"), (3, "B → A → B", "A")],
        ),
        (
            ["A,Alpha,B", "B,Beta,C", "C,Gamma,A", "D,Delta,A"],
            [(2, "A → B → C → A", "B"), (3, "B → C → A → B", "C"), (4, "C → A → B → C", "A")],
        ),
        (["A,Alpha,A", "B,Beta,"], [(2, "A → A", "A")]),
    ],
    ids=["two", "three with a tail", "self"],
)
def test_cycles_in_the_file_are_named_row_by_row(
    db_session, write_file, run_import, lines, expected
):
    outcome = run_import("companies", companies_file(write_file, *lines))
    assert cycle_errors(outcome) == [
        (row, "parent_external_id", value, f"parent cycle: {path}") for row, path, value in expected
    ]
    assert db.session.scalar(select(func.count(Company.id))) == 0


def test_a_stored_company_cannot_become_its_own_parent(db_session, write_file, run_import):
    CompanyFactory(external_id="A", name="Alpha")
    outcome = run_import("companies", companies_file(write_file, "A,Alpha,A"))
    assert cycle_errors(outcome) == [(2, "parent_external_id", "A", "parent cycle: A → A")]


def test_a_cycle_through_stored_companies_is_found(db_session, write_file, run_import):
    """Stored: Y's parent is A, X's parent is Y. The file makes X the parent of A: A → X → Y → A."""
    a = CompanyFactory(external_id="A", name="Alpha")
    y = CompanyFactory(external_id="Y", name="Ypsilon", parent=a)
    CompanyFactory(external_id="X", name="Xi", parent=y)
    db.session.commit()
    outcome = run_import("companies", companies_file(write_file, "A,Alpha,X", "N,New,X"))
    assert cycle_errors(outcome) == [(2, "parent_external_id", "X", "parent cycle: A → X → Y → A")]
    assert db.session.scalar(select(Company.parent_id).where(Company.external_id == "A")) is None
    assert db.session.scalar(select(Company.id).where(Company.external_id == "N")) is None


def test_moving_a_stored_chain_is_fine_when_the_file_breaks_it(db_session, write_file, run_import):
    """Stored: B's parent is A. The file reverses it (A under B, B on top): no cycle."""
    a = CompanyFactory(external_id="A", name="Alpha")
    CompanyFactory(external_id="B", name="Beta", parent=a)
    db.session.commit()
    outcome = run_import("companies", companies_file(write_file, "A,Alpha,B", "B,Beta,"))
    assert outcome.ok, outcome.errors.as_json()
    child = db.session.scalar(select(Company).where(Company.external_id == "A"))
    assert child.parent.external_id == "B" and child.parent.parent_id is None


def test_deep_hierarchies_without_cycles_import(db_session, write_file, run_import):
    lines = [f"C{i},Company {i},{f'C{i + 1}' if i < 299 else ''}" for i in range(300)]
    outcome = run_import("companies", companies_file(write_file, *lines))
    assert outcome.ok and outcome.created == 300
