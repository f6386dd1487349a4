"""The scheduled feed: the newest file of each kind is imported once, with the saved mapping."""

import json
import os

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Company, FeedFile, ImportRun
from cstier.services.errors import ValidationFailed
from cstier.services.jobs.feeds import import_feeds
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.integration.tiering.conftest import tier_count

HEADER = (
    "external_id,name,domain,industry,region,country,employees,annual_revenue,parent_external_id"
)


def drop(folder, name: str, rows: list[str], mtime: int) -> None:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    os.utime(path, (mtime, mtime))


def names() -> list[str]:
    with Session(db.engine) as fresh:
        return sorted(fresh.scalars(select(Company.name)))


def test_the_newest_file_is_imported_and_not_again(app, db_session, tmp_path):
    drop(tmp_path, "companies-monday.csv", ["CO-1,Old Name,,,,,,,"], 1_700_000_000)
    drop(
        tmp_path, "companies-tuesday.csv", ["CO-1,Acme,,,,,,,", "CO-2,Globex,,,,,,,"], 1_700_086_400
    )

    first = import_feeds(db_session, tmp_path, app.config)
    second = import_feeds(db_session, tmp_path, app.config)

    assert first.imported == ["companies-tuesday.csv"] and names() == ["Acme", "Globex"]
    assert second.imported == [] and second.already_seen == ["companies-tuesday.csv"]
    with Session(db.engine) as fresh:
        assert len(fresh.scalars(select(ImportRun)).all()) == 1
        assert fresh.scalars(select(FeedFile.status)).all() == ["applied"]


def test_a_saved_mapping_names_the_columns_of_a_crm_export(app, db_session, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("Account Code,Account Name\nCO-7,Initech\n", encoding="utf-8")
    mapping = {"Account Code": "external_id", "Account Name": "name"}
    (tmp_path / "companies.mapping.json").write_text(json.dumps(mapping), encoding="utf-8")

    assert import_feeds(db_session, tmp_path, app.config).imported == ["companies.csv"]
    assert names() == ["Initech"]


def test_a_bad_file_is_refused_whole_remembered_and_reported(app, db_session, tmp_path):
    drop(tmp_path, "companies.csv", ["CO-1,Acme,,,,,,,", "CO-2,,,,,,,,"], 1_700_000_000)

    with pytest.raises(ValidationFailed, match="companies.csv"):
        import_feeds(db_session, tmp_path, app.config)

    assert names() == []  # all or nothing: the good row was not kept either
    again = import_feeds(db_session, tmp_path, app.config)  # not retried until a new file comes
    assert again.already_seen == ["companies.csv"]


def test_a_feed_that_changes_accounts_re_tiers_them(app, db_session, tmp_path):
    ensure_default_schemes(db_session)
    drop(tmp_path, "companies.csv", ["CO-1,Acme,,,,,,,"], 1_700_000_000)
    (tmp_path / "accounts.csv").write_text(
        "external_id,name,unit_type,company_external_id,arr,lifecycle_stage\n"
        "AC-1,Acme Core,company,CO-1,250000.00,active\n",
        encoding="utf-8",
    )

    outcome = import_feeds(db_session, tmp_path, app.config)

    assert outcome.imported == ["companies.csv", "accounts.csv"]  # companies first
    assert outcome.retier_run_id is not None and tier_count() > 0
