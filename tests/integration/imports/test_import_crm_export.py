"""A real CRM export imports as it is: synonyms, constants, companies per account, formats, errors."""

import json

import pytest
from sqlalchemy import func, select

from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import Account, Company, CustomAttribute, SavedImportMapping, TierChange
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.imports.mappings import saved_mapping
from cstier.services.imports.offer import offer_mapping
from cstier.services.imports.reader import ReadLimits
from cstier.services.tiering.schemes import seed_default_schemes
from cstier.services.workspace import define_attribute

CRM = (
    "Customer ID,Account Name,ARR (USD),CSM Email,Renewal Date,Tier\n"
    'C-1,Acme Corp,"$1,234.50",CSM@example.com,03/04/2027,Gold\n'
    'C-2,Globex,"$250,000.00",,31/12/2027,Silver\n'
)
CRM_MAPPING = ImportMapping(
    constants={"unit_type": "company"},
    defaults={"lifecycle_stage": "active"},
    date_order="DMY",
    companies_from_accounts=True,
)


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Account.id))),
        db.session.scalar(select(func.count(Company.id))),
    )


def test_a_crm_export_imports_as_it_is(csm, write_file, run_import):
    outcome = run_import("accounts", write_file("crm.csv", CRM), mapping=CRM_MAPPING)
    assert outcome.ok, outcome.errors.as_json()
    assert (outcome.created, outcome.companies_created) == (2, 2)
    acme = db.session.scalar(select(Account).where(Account.external_id == "C-1"))
    assert (acme.name, acme.arr_cents, acme.plan, acme.unit_type) == (
        "Acme Corp",
        123450,
        "Gold",
        "company",
    )
    assert (acme.renewal_date.isoformat(), acme.lifecycle_stage) == ("2027-04-03", "active")
    assert (acme.csm_id, acme.company.external_id, acme.company.name) == (
        csm.id,
        "C-1",
        "Acme Corp",
    )
    again = run_import("accounts", write_file("crm.csv", CRM), mapping=CRM_MAPPING)
    assert (again.unchanged, again.companies_created) == (2, 0)


def test_the_applied_mapping_is_saved_per_kind_and_offered_next_time(csm, write_file, run_import):
    path = write_file("crm.csv", CRM)
    run_import("accounts", path, mapping=CRM_MAPPING, dry_run=True)
    assert saved_mapping(db.session, "accounts") is None  # a preview saves nothing
    run_import("accounts", path, mapping=CRM_MAPPING)
    saved = saved_mapping(db.session, "accounts")
    assert saved.columns["Customer ID"] == "external_id" and saved.constants == {
        "unit_type": "company"
    }
    assert (saved.date_order, saved.companies_from_accounts) == ("DMY", True)
    stored = db.session.scalar(select(SavedImportMapping))
    assert (stored.kind, stored.version) == ("accounts", 1)
    offer = offer_mapping(db.session, "accounts", path, None, ReadLimits())
    assert offer.saved and offer.mapping == saved
    changed = ImportMapping(**{**vars(CRM_MAPPING), "defaults": {"lifecycle_stage": "onboarding"}})
    run_import("accounts", path, mapping=changed)
    db.session.refresh(stored)
    assert stored.version == 2 and saved_mapping(db.session, "accounts").defaults == {
        "lifecycle_stage": "onboarding"
    }


def test_a_preview_that_creates_companies_leaves_none(write_file, run_import):
    outcome = run_import(
        "accounts",
        write_file("crm.csv", CRM.replace("CSM@example.com", "")),
        dry_run=True,
        mapping=CRM_MAPPING,
    )
    assert outcome.ok and outcome.created == 2 and outcome.companies_created == 2
    assert counts() == (0, 0)


def test_ambiguous_dates_without_a_format_are_refused_naming_row_and_column(
    csm, write_file, run_import
):
    mapping = ImportMapping(**{**vars(CRM_MAPPING), "date_order": None})
    outcome = run_import("accounts", write_file("crm.csv", CRM), mapping=mapping)
    assert [(e.row, e.column, e.value) for e in outcome.errors.items] == [
        (2, "Renewal Date", "03/04/2027"),
        (3, "Renewal Date", "31/12/2027"),
    ]
    assert "choose the date format" in outcome.errors.items[0].reason
    assert outcome.errors.groups()[0]["summary"].startswith("2 cells in Renewal Date: ambiguous")
    assert counts() == (0, 0)


def test_amounts_with_a_decimal_comma(write_file, run_import):
    content = (
        "Customer ID;Customer Name;Annual Recurring Revenue\n"
        'C-1;Acme;"€ 1.234,50"\nC-2;Globex;1 234,5\nC-3;Initech;12\n'
    )
    mapping = ImportMapping(**{**vars(CRM_MAPPING), "decimal": ","})
    outcome = run_import("accounts", write_file("eu.csv", content), mapping=mapping)
    assert outcome.ok, outcome.errors.as_json()
    arr = dict(db.session.execute(select(Account.external_id, Account.arr_cents)).all())
    assert arr == {"C-1": 123450, "C-2": 123450, "C-3": 1200}


def test_an_unknown_currency_format_is_refused(write_file, run_import):
    content = "Customer ID,Customer Name,ARR (USD)\nC-1,Acme,12 XYZ\n"
    outcome = run_import("accounts", write_file("crm.csv", content), mapping=CRM_MAPPING)
    error = outcome.errors.items[0]
    assert (error.row, error.column, error.value) == (2, "ARR (USD)", "12 XYZ")
    assert "unknown currency or format" in error.reason
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("mapping", "column", "reason"),
    [
        (ImportMapping(constants={"colour": "red"}), "constant colour", "no column 'colour'"),
        (ImportMapping(columns={"Owner": "csm_email"}), "Owner", "a column the file lacks"),
        (ImportMapping(columns={"Tier": "attr.Tier Name"}), "Tier", "not a valid custom attribute"),
        (
            ImportMapping(constants={"unit_type": "galaxy"}),
            "unit_type (set by the mapping)",
            "one of",
        ),
    ],
    ids=["unknown constant", "absent column", "bad attribute key", "bad constant value"],
)
def test_a_mapping_that_cannot_apply_is_refused_and_nothing_is_written(
    csm, write_file, run_import, mapping, column, reason
):
    base = vars(CRM_MAPPING) | {
        "columns": mapping.columns,
        "constants": CRM_MAPPING.constants | mapping.constants,
    }
    outcome = run_import("accounts", write_file("crm.csv", CRM), mapping=ImportMapping(**base))
    assert outcome.status == "failed"
    assert any(e.column == column and reason in e.reason for e in outcome.errors.items), (
        outcome.errors.as_json()
    )
    assert counts() == (0, 0)


def test_many_unknown_attribute_cells_are_counted_by_reason(write_file, run_import):
    lines = ["Customer ID,Customer Name,attr.colour,attr.size"]
    lines += [f"C-{i},Name {i},red,big" for i in range(1500)]
    outcome = run_import("accounts", write_file("crm.csv", "\n".join(lines)), mapping=CRM_MAPPING)
    assert outcome.errors.total == 3000
    assert outcome.errors.groups()[0]["summary"] == (
        "3,000 cells in 2 columns: no custom attribute with this key"
    )
    assert counts() == (0, 0)


def test_a_column_maps_to_a_custom_attribute_defined_for_it(write_file, run_import):
    attribute = define_attribute(
        db.session,
        SYSTEM_ACTOR,
        key="segment_fit",
        data_type="choice",
        choices=["Good, strong", "Weak"],
    )
    assert attribute.label == "Segment fit" and attribute.choices == ["Good, strong", "Weak"]
    content = 'Customer ID,Customer Name,Fit\nC-1,Acme,"good, strong"\n'
    mapping = ImportMapping(**{**vars(CRM_MAPPING), "columns": {"Fit": "attr.segment_fit"}})
    outcome = run_import("accounts", write_file("crm.csv", content), mapping=mapping)
    assert outcome.ok, outcome.errors.as_json()
    assert db.session.scalar(select(Account.attributes)) == {"segment_fit": "Good, strong"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"key": "Bad Key", "data_type": "text"}, "key"),
        ({"key": "fit", "data_type": "colour"}, "data_type"),
        ({"key": "fit", "data_type": "choice", "choices": []}, "choices"),
        ({"key": "fit", "data_type": "choice", "choices": ["a", "a"]}, "choices"),
    ],
)
def test_a_bad_attribute_is_refused(db_session, values, field):
    with pytest.raises(ValidationFailed) as refused:
        define_attribute(db.session, SYSTEM_ACTOR, **values)
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count(CustomAttribute.id))) == 0


def test_a_csm_defines_no_attribute(csm):
    with pytest.raises(Forbidden):
        define_attribute(db.session, Actor(csm.id, "csm"), key="fit", data_type="text")


def test_the_import_re_tiers_the_touched_accounts_by_default(admin, write_file, run_import):
    seed_default_schemes(db.session, Actor(admin.id, "admin"))
    outcome = run_import(
        "accounts", write_file("crm.csv", CRM.replace("CSM@example.com", "")), mapping=CRM_MAPPING
    )
    assert outcome.ok and outcome.retier_run_id is not None and outcome.retier_refused is None
    tiered = db.session.scalar(select(func.count(func.distinct(TierChange.account_id))))
    assert tiered == 2
    quiet = run_import(
        "accounts", write_file("crm.csv", CRM.replace("CSM@example.com", "")), mapping=CRM_MAPPING
    )
    assert quiet.unchanged == 2 and quiet.retier_run_id is None  # nothing changed: no run


def test_a_mapping_file_from_the_cli(csm, write_file, runner):
    mapping = write_file("m.json", json.dumps(CRM_MAPPING.as_json()))
    path = write_file("crm.csv", CRM)
    result = runner.invoke(args=["import", "accounts", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "2 companies created" in result.output
    bad = write_file("bad.json", json.dumps({"columns": {}, "constant": {"unit_type": "x"}}))
    refused = runner.invoke(args=["import", "accounts", str(path), "--mapping", str(bad)])
    assert refused.exit_code != 0 and "Unknown key 'constant'" in refused.output


def test_errors_from_the_cli_come_grouped_first(write_file, runner):
    mapping = write_file("m.json", json.dumps(CRM_MAPPING.as_json() | {"date_format": None}))
    path = write_file("crm.csv", CRM.replace("CSM@example.com", ""))
    result = runner.invoke(args=["import", "accounts", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("2 cells in Renewal Date: ambiguous date")
    assert lines[1].startswith("error: row 2, column Renewal Date, value '03/04/2027'")


def test_attributes_from_the_cli_with_commas_in_choices(db_session, runner):
    result = runner.invoke(
        args=[
            "attributes",
            "create",
            "fit",
            "--type",
            "choice",
            "--choice",
            "Good, strong",
            "--choice",
            "Weak",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(CustomAttribute.choices)) == ["Good, strong", "Weak"]
    assert "fit\tchoice" in runner.invoke(args=["attributes", "list"]).output
    bad = runner.invoke(args=["attributes", "create", "Bad Key", "--type", "text"])
    assert bad.exit_code == 1 and "lower-case letters" in bad.output


@pytest.mark.parametrize("formats", [{"date_order": "YMD"}, {"decimal": ";"}])
def test_a_mapping_with_an_unknown_format_is_refused(write_file, run_import, formats):
    mapping = ImportMapping(**{**vars(CRM_MAPPING), **formats})
    outcome = run_import("accounts", write_file("crm.csv", CRM), mapping=mapping)
    error = outcome.errors.items[0]
    assert (error.row, error.column) == (None, "mapping") and "Unknown" in error.reason
    assert counts() == (0, 0)


def test_saved_mapping_knows_only_import_kinds(db_session):
    assert saved_mapping(db.session, "subscriptions") is None
    with pytest.raises(ValueError, match="No import kind"):
        saved_mapping(db.session, "planets")
