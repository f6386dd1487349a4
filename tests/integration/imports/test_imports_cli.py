"""`cstier import` and `cstier export` from the command line."""

import json

from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Account
from tests.integration.imports.conftest import ACCOUNT_HEADER, account_rows


def test_cli_import_dry_run_then_apply(company, write_file, runner):
    path = write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(3)]))
    result = runner.invoke(args=["import", "accounts", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output and "would be written" in result.output
    assert db.session.scalar(select(Account.id)) is None
    result = runner.invoke(args=["import", "accounts", str(path)])
    assert result.exit_code == 0 and "3 created" in result.output
    assert "3 unchanged" in runner.invoke(args=["import", "accounts", str(path)]).output


def test_cli_import_reports_errors_and_fails(company, write_file, runner):
    rows = account_rows(2)
    rows[1] = rows[1].replace("2027-01-01", "someday")
    result = runner.invoke(
        args=["import", "accounts", str(write_file("a.csv", "\n".join([ACCOUNT_HEADER, *rows])))]
    )
    assert result.exit_code == 1
    assert "row 3, column renewal_date, value 'someday'" in result.output
    assert "nothing was written" in result.output


def test_cli_import_with_mapping_and_encoding(company, write_file, runner):
    content = "ID;Name;Unit;Company;Stage\nAC-1;Zoë;company;CO-1;active\n"
    path = write_file("a.csv", content, encoding="cp1252")
    mapping = write_file(
        "m.json",
        json.dumps(
            {
                "ID": "external_id",
                "Unit": "unit_type",
                "Company": "company_external_id",
                "Stage": "lifecycle_stage",
            }
        ),
    )
    refused = runner.invoke(args=["import", "accounts", str(path), "--mapping", str(mapping)])
    assert refused.exit_code == 1 and "not UTF-8" in refused.output
    result = runner.invoke(
        args=["import", "accounts", str(path), "--mapping", str(mapping), "--encoding", "cp1252"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Account.name)) == "Zoë"


def test_cli_export_csv_and_xlsx(company, write_file, runner, tmp_path):
    runner.invoke(
        args=[
            "import",
            "accounts",
            str(write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(3)]))),
        ]
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["export", "accounts", str(out), "--q", "0002"])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("external_id,name,unit_type") and len(lines) == 2
    xlsx = tmp_path / "out.xlsx"
    assert runner.invoke(args=["export", "accounts", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes().startswith(b"PK")
    again = runner.invoke(args=["import", "accounts", str(xlsx)])
    assert "3 unchanged" in again.output


def test_cli_export_segment_needs_a_tier(db_session, runner, tmp_path):
    result = runner.invoke(args=["export", "segment", str(tmp_path / "s.csv")])
    assert result.exit_code != 0 and "needs a scheme and a tier" in result.output
