"""Every bad input gets a report naming row, column, value and reason, and nothing is written."""

from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import Account, ImportRun
from tests.integration.imports.conftest import ACCOUNT_HEADER, account_rows


def account_count() -> int:
    return db.session.scalar(select(func.count(Account.id)))


def only_error(outcome):
    assert outcome.status == "failed"
    assert outcome.errors.total == 1, outcome.errors.as_json()
    return outcome.errors.items[0]


def test_bad_row_538_of_1001_is_named_and_nothing_is_written(company, write_file, run_import):
    rows = account_rows(1000)
    rows[536] = rows[536].replace(",active,", ",dormant,")
    outcome = run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    error = only_error(outcome)
    assert (error.row, error.column, error.value) == (538, "lifecycle_stage", "dormant")
    assert "must be one of" in error.reason
    assert account_count() == 0
    run = db.session.scalar(select(ImportRun))
    assert run.status == "failed" and run.errors[0]["row"] == 538


def test_duplicate_external_ids_in_the_file(company, write_file, run_import):
    rows = account_rows(3)
    rows.append(rows[1].replace("Account 2", "Again"))
    error = only_error(
        run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    )
    assert (error.row, error.column, error.value) == (5, "external_id", "AC-0002")
    assert "already on row 3" in error.reason
    assert account_count() == 0


def test_unknown_referenced_external_id(company, write_file, run_import):
    rows = account_rows(2)
    rows[1] = rows[1].replace(",CO-1,", ",CO-404,")
    error = only_error(
        run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    )
    assert (error.row, error.column, error.value) == (3, "company_external_id", "CO-404")
    assert "no company" in error.reason
    assert account_count() == 0


def test_negative_money(company, write_file, run_import):
    rows = account_rows(2)
    rows[0] = rows[0].replace(",10.50,", ",-10.50,")
    error = only_error(
        run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    )
    assert (error.row, error.column, error.reason) == (2, "arr", "money cannot be negative")


def test_bad_enum(company, write_file, run_import):
    rows = account_rows(2)
    rows[1] = rows[1].replace(",company,", ",galaxy,")
    error = only_error(
        run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    )
    assert (error.row, error.column, error.value) == (3, "unit_type", "galaxy")


def test_bad_date(company, write_file, run_import):
    rows = account_rows(2)
    rows[1] = rows[1].replace("2027-01-01", "2027-02-30")
    error = only_error(
        run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))
    )
    assert (error.row, error.column, error.value) == (3, "renewal_date", "2027-02-30")
    assert error.reason.startswith("not a date")


def test_missing_required_column_is_a_file_error(company, write_file, run_import):
    outcome = run_import("accounts", write_file("a.csv", "external_id,name\nAC-1,A\n"))
    assert {e.column for e in outcome.errors.items} == {
        "unit_type",
        "company_external_id",
        "lifecycle_stage",
    }


def test_department_of_another_company_is_refused(company, write_file, run_import):
    from tests.factories import DepartmentFactory

    DepartmentFactory(external_id="DE-X")  # belongs to a different company
    path = write_file(
        "a.csv",
        "external_id,name,unit_type,company_external_id,department_external_id,lifecycle_stage\n"
        "AC-1,A,department,CO-1,DE-X,active\n",
    )
    error = only_error(run_import("accounts", path))
    assert error.column == "department_external_id" and "belongs to company" in error.reason


def test_non_utf8_file_is_refused_then_accepted_with_its_encoding(company, write_file, run_import):
    content = ACCOUNT_HEADER + "\nAC-1,Café Crème,company,CO-1,1.00,active,,\n"
    path = write_file("a.csv", content, encoding="cp1252")
    error = only_error(run_import("accounts", path))
    assert "not UTF-8" in error.reason and "cp1252" in error.reason
    assert account_count() == 0
    outcome = run_import("accounts", path, encoding="cp1252")
    assert outcome.ok and outcome.created == 1
    assert db.session.scalar(select(Account.name)) == "Café Crème"
