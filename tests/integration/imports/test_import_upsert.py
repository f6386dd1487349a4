"""Upsert by external id: created, updated, unchanged; audited; files in every shape."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import (
    Account,
    AuditLog,
    Company,
    Contact,
    CustomAttribute,
    Department,
    UsageMetric,
)
from cstier.services import companies, exports
from cstier.services.errors import Conflict
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.integration.imports.conftest import ACCOUNT_HEADER, account_rows


def test_import_creates_then_reports_unchanged(company, write_file, run_import):
    path = write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(5)]))
    first = run_import("accounts", path)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    account = db.session.scalar(select(Account).where(Account.external_id == "AC-0002"))
    assert account.arr_cents == 2050 and account.renewal_date == date(2027, 1, 1)
    second = run_import("accounts", path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "import")) is None


def test_changed_rows_are_updated_and_audited(company, write_file, run_import, manager):
    run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(3)])))
    rows = account_rows(3)
    rows[2] = rows[2].replace("Account 3", "Account Three")
    outcome = run_import(
        "accounts",
        write_file("b.csv", "\n".join([ACCOUNT_HEADER, *rows])),
        actor=Actor(manager.id, "cs_manager"),
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    account = db.session.scalar(select(Account).where(Account.external_id == "AC-0003"))
    assert account.name == "Account Three" and account.version == 2
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import"))
    assert entry.entity_id == account.id and entry.user_id == manager.id
    assert entry.before == {"name": "Account 3"} and entry.after == {"name": "Account Three"}


def test_dry_run_counts_but_writes_nothing(company, write_file, run_import):
    outcome = run_import(
        "accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(4)])), dry_run=True
    )
    assert outcome.status == "previewed" and outcome.created == 4
    assert db.session.scalar(select(Account.id)) is None


def test_bom_is_accepted(company, write_file, run_import):
    path = write_file("a.csv", "\ufeff" + "\n".join([ACCOUNT_HEADER, *account_rows(2)]))
    outcome = run_import("accounts", path)
    assert outcome.ok and outcome.created == 2 and not outcome.ignored_columns


def test_semicolon_delimiter(company, write_file, run_import):
    lines = [ACCOUNT_HEADER.replace(",", ";")] + [r.replace(",", ";") for r in account_rows(2)]
    outcome = run_import("accounts", write_file("a.csv", "\n".join(lines)))
    assert outcome.ok and outcome.created == 2


def test_tab_delimiter(company, write_file, run_import):
    lines = [ACCOUNT_HEADER.replace(",", "\t")] + [r.replace(",", "\t") for r in account_rows(2)]
    outcome = run_import("accounts", write_file("a.tsv", "\n".join(lines)))
    assert outcome.ok and outcome.created == 2


def test_xlsx_with_excel_dates(company, write_file, run_import):
    book = Workbook()
    sheet = book.active
    sheet.append(ACCOUNT_HEADER.split(","))
    sheet.append(
        ["AC-1", "Dated", "company", "CO-1", 1234.5, "active", datetime(2026, 3, 1), 46388]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = run_import("accounts", write_file("a.xlsx", buffer.getvalue()))
    assert outcome.ok, outcome.errors.as_json()
    account = db.session.scalar(select(Account))
    assert account.contract_start_date == date(2026, 3, 1)
    assert account.renewal_date == date(2027, 1, 1)  # Excel serial 46388
    assert account.arr_cents == 123450


def test_parent_companies_may_come_later_in_the_file(db_session, write_file, run_import):
    path = write_file(
        "c.csv",
        "external_id,name,parent_external_id,annual_revenue\nC-2,Child,C-1,100\nC-1,Parent,,\n",
    )
    outcome = run_import("companies", path)
    assert outcome.ok and outcome.created == 2
    child = db.session.scalar(select(Company).where(Company.external_id == "C-2"))
    assert child.parent.external_id == "C-1" and child.annual_revenue_cents == 10000
    assert run_import("companies", path).unchanged == 2


def test_unknown_parent_is_refused(db_session, write_file, run_import):
    outcome = run_import(
        "companies", write_file("c.csv", "external_id,name,parent_external_id\nC-2,Child,C-9\n")
    )
    assert [(e.row, e.column, e.value) for e in outcome.errors.items] == [
        (2, "parent_external_id", "C-9")
    ]


def test_usage_upserts_on_its_natural_key(company, write_file, run_import):
    run_import("accounts", write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(1)])))
    usage = "account_external_id,metric,period_start,value\nAC-0001,wau,2026-01-01,10\nAC-0001,wau,2026-02-01,12\n"
    assert run_import("usage", write_file("u.csv", usage)).created == 2
    changed = usage.replace(",12\n", ",15\n")
    outcome = run_import("usage", write_file("u2.csv", changed))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    assert sorted(db.session.scalars(select(UsageMetric.value))) == [10, 15]


def test_exported_accounts_reimport_unchanged(company, write_file, run_import):
    db.session.add(CustomAttribute(key="seats", label="Seats", data_type="number"))
    db.session.commit()
    header = ACCOUNT_HEADER + ",csm_email,plan,attr.seats"
    rows = [r + ",,=cmd(),12" for r in account_rows(3)]
    assert run_import("accounts", write_file("a.csv", "\n".join([header, *rows]))).created == 3
    for fmt in ("csv", "xlsx"):
        frame = exports.build(db.session, Actor(None, "admin"), "accounts")
        path = write_file(f"export.{fmt}", exports.render(frame, fmt))
        outcome = run_import("accounts", path)
        assert outcome.ok, outcome.errors.as_json()
        assert (outcome.updated, outcome.unchanged) == (0, 3), fmt
    assert db.session.scalar(select(Account.plan)) == "=cmd()"


def test_other_kinds_import(company, write_file, run_import):
    files = {
        "departments": "external_id,company_external_id,name\nDE-1,CO-1,Finance\n",
        "contacts": "external_id,company_external_id,department_external_id,name,email,role\nCT-1,CO-1,DE-1,Ann,ann@x.example,champion\n",
        "accounts": ACCOUNT_HEADER + "\n" + account_rows(1)[0],
        "subscriptions": "external_id,account_external_id,product,start_date,end_date,mrr,quantity\nSU-1,AC-0001,Core,2026-01-01,,99.90,\n",
        "needs": "external_id,account_external_id,code,source,validated,importance,captured_on,note\nNE-1,AC-0001,integration_help,csm,yes,4,2026-02-01,asked twice\n",
        "milestones": "external_id,account_external_id,name,due_date,completed_on\nMS-1,AC-0001,Kickoff,2026-01-15,\n",
    }
    for kind, content in files.items():
        path = write_file(f"{kind}.csv", content)
        outcome = run_import(kind, path)
        assert outcome.ok and outcome.created == 1, (kind, outcome.errors.as_json())
        assert run_import(kind, path).unchanged == 1, kind


def test_import_can_retier_the_book(company, write_file, run_import):
    from cstier.models import TieringRun

    ensure_default_schemes(db.session)  # as setting the workspace up does
    path = write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(2)]))
    outcome = run_import("accounts", path, retier=True)
    assert outcome.retier_run_id is not None
    run = db.session.get(TieringRun, outcome.retier_run_id)
    assert run.trigger == "import" and run.accounts_evaluated == 2
    assert run_import("accounts", path, retier=True).retier_run_id is None  # nothing changed


def test_an_import_without_schemes_stands_and_says_why_it_was_not_retiered(
    company, write_file, run_import
):
    path = write_file("a.csv", "\n".join([ACCOUNT_HEADER, *account_rows(2)]))

    outcome = run_import("accounts", path, retier=True)

    assert (outcome.status, outcome.created, outcome.retier_run_id) == ("applied", 2, None)
    assert "no tier schemes to run yet" in outcome.retier_refused
    assert db.session.scalar(select(func.count(Account.id))) == 2


@pytest.mark.parametrize(
    ("kind", "header", "before", "after"),
    [
        ("companies", "external_id,name", "CO-1,Acme", "CO-1,Acme Group"),
        (
            "departments",
            "external_id,company_external_id,name",
            "DE-1,CO-1,Ops",
            "DE-1,CO-1,Ops EU",
        ),
        (
            "contacts",
            "external_id,company_external_id,name,role",
            "CT-1,CO-1,Ann,champion",
            "CT-1,CO-1,Ann Lee,champion",
        ),
    ],
)
def test_an_imported_change_makes_an_open_edit_stale(
    company, write_file, run_import, manager, kind, header, before, after
):
    run_import(kind, write_file("a.csv", f"{header}\n{before}\n"))
    model = {"companies": Company, "departments": Department, "contacts": Contact}[kind]
    row = db.session.scalar(select(model).where(model.external_id == before.split(",")[0]))
    opened = row.version

    assert run_import(kind, write_file("b.csv", f"{header}\n{after}\n")).updated == 1

    db.session.expire_all()
    assert db.session.get(model, row.id).version == opened + 1
    edit = {
        "companies": companies.update_company,
        "departments": companies.update_department,
        "contacts": companies.update_contact,
    }[kind]
    with pytest.raises(Conflict):
        edit(db.session, Actor(manager.id, manager.role), row.id, {"name": "Mine"}, opened)
    db.session.rollback()
