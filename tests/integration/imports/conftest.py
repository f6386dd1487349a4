"""Helpers to write import files and run imports against the test database."""

from pathlib import Path

import pytest

from cstier.extensions import db
from cstier.services.imports import ImportRequest, import_file

ACCOUNT_HEADER = "external_id,name,unit_type,company_external_id,arr,lifecycle_stage,contract_start_date,renewal_date"


def account_rows(count: int, company: str = "CO-1") -> list[str]:
    """Return CSV lines of valid accounts AC-0001.. of one company."""
    return [
        f"AC-{i:04d},Account {i},company,{company},{i * 10}.50,active,2026-01-01,2027-01-01"
        for i in range(1, count + 1)
    ]


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def run_import(db_session):
    """Import a file of a kind with options; return the outcome."""

    def run(kind: str, path: Path, **options):
        return import_file(db.session, ImportRequest(kind, path, path.name, **options))

    return run


@pytest.fixture
def company(db_session):
    from tests.factories import CompanyFactory

    return CompanyFactory(external_id="CO-1", name="Acme")
