"""Import files over the row, column or unpacked-size limits are refused whole, in the CLI and the service."""

import pytest
from sqlalchemy import func, select

from cstier.extensions import db
from cstier.models import Account
from cstier.services.imports.reader import ReadLimits
from tests.integration.imports.conftest import ACCOUNT_HEADER, account_rows
from tests.spreadsheets import write_workbook

HEADER = ACCOUNT_HEADER.split(",")
SMALL = ReadLimits(rows=10, columns=10, unpacked_bytes=1 << 20)


def _rows(count: int) -> list[list[str]]:
    return [line.split(",") for line in account_rows(count)]


def _accounts() -> int:
    return db.session.scalar(select(func.count(Account.id)))


def _refusal(outcome) -> str:
    assert not outcome.ok and _accounts() == 0
    return " ".join(error.reason for error in outcome.errors.items)


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(
    company, tmp_path, run_import
):
    bomb = write_workbook(tmp_path / "bomb.xlsx", HEADER, _rows(1) * 10_000)
    assert bomb.stat().st_size < 100_000  # small on disk, over a megabyte unpacked
    outcome = run_import("accounts", bomb, limits=SMALL)
    assert "unpacks to" in _refusal(outcome) and "CSTIER_IMPORT_MAX_UNPACKED_MB" in _refusal(
        outcome
    )


@pytest.mark.parametrize(
    "dimension", ["auto", None, "A1:H2"], ids=["declared", "undeclared", "lying"]
)
def test_a_workbook_with_too_many_rows_is_refused(company, tmp_path, run_import, dimension):
    path = write_workbook(tmp_path / "rows.xlsx", HEADER, _rows(11), dimension=dimension)
    assert "more than 10 data rows" in _refusal(run_import("accounts", path, limits=SMALL))


def test_a_workbook_at_the_row_limit_imports(company, tmp_path, run_import):
    path = write_workbook(tmp_path / "rows.xlsx", HEADER, _rows(10))
    outcome = run_import("accounts", path, limits=SMALL)
    assert outcome.ok and outcome.created == 10


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (HEADER + [f"extra{i}" for i in range(3)], _rows(2)),  # a wide header
        (HEADER, [cells + [""] * 2 + ["far"] for cells in _rows(2)]),  # a wide row
    ],
    ids=["header", "row"],
)
@pytest.mark.parametrize("dimension", ["auto", None], ids=["declared", "undeclared"])
def test_a_workbook_with_too_many_columns_is_refused(
    company, tmp_path, run_import, header, rows, dimension
):
    path = write_workbook(tmp_path / "wide.xlsx", header, rows, dimension=dimension)
    assert "columns, more than the 10 allowed" in _refusal(
        run_import("accounts", path, limits=SMALL)
    )


def test_a_csv_over_the_row_or_column_limit_is_refused(company, write_file, run_import):
    long = write_file("long.csv", "\n".join([ACCOUNT_HEADER, *account_rows(11)]))
    assert "more than 10 data rows" in _refusal(run_import("accounts", long, limits=SMALL))
    wide = write_file("wide.csv", ACCOUNT_HEADER + ",a,b,c\n")
    assert "11 columns" in _refusal(run_import("accounts", wide, limits=SMALL))


def test_the_cli_applies_the_configured_limits(company, tmp_path, runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_MB", 1)
    bomb = write_workbook(tmp_path / "bomb.xlsx", HEADER, _rows(1) * 10_000)
    result = runner.invoke(args=["import", "accounts", str(bomb)])
    assert result.exit_code == 1 and "CSTIER_IMPORT_MAX_UNPACKED_MB" in result.output
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 5)
    result = runner.invoke(
        args=["import", "accounts", str(write_workbook(tmp_path / "r.xlsx", HEADER, _rows(6)))]
    )
    assert result.exit_code == 1 and "more than 5 data rows" in result.output
    assert _accounts() == 0
