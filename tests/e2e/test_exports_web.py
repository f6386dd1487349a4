"""Every export opens in Excel: the tier history's times come out as UTC wall-clock cells."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from cstier.extensions import db
from cstier.models import TierChange
from cstier.services.exports import EXPORTS
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, UsageMetricFactory

MOVED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def history(db_session):
    """One account moved up a value tier on a Monday morning (UTC)."""
    account = AccountFactory(name="Acme Core", external_id="AC-1")
    UsageMetricFactory(account_id=account.id)
    scheme = next(s for s in ensure_default_schemes(db.session) if s.key == "value_tiers")
    db.session.add(
        TierChange(
            account_id=account.id, scheme_id=scheme.id, dimension="value", from_tier="Growth",
            to_tier="Strategic", at=MOVED_AT, reason="rule", scheme_version=1, explanation="ARR",
        )
    )  # fmt: skip
    db.session.commit()


def _sheet(data: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].values)
    # XLSX stores no empty cells at a row's end, so a read row can be shorter than the header.
    width = len(rows[0])
    return [dict(zip(rows[0], row + (None,) * (width - len(row)), strict=True)) for row in rows[1:]]


def test_tier_history_xlsx_holds_the_change_at_its_utc_time(client, auth, manager, history):
    auth.login(manager.email)
    response = client.get("/imports/export/tier_history.xlsx")
    assert response.status_code == 200
    (change,) = _sheet(response.data)
    assert change["to_tier"] == "Strategic" and change["at"] == MOVED_AT.replace(tzinfo=None)


@pytest.mark.parametrize("kind", [k for k in EXPORTS if k != "segment"])
def test_every_export_opens_as_xlsx(client, auth, manager, history, kind):
    auth.login(manager.email)
    response = client.get(f"/imports/export/{kind}.xlsx")
    assert response.status_code == 200 and len(_sheet(response.data)) == 1


def test_cli_tier_history_xlsx(runner, history, tmp_path):
    out = tmp_path / "history.xlsx"
    result = runner.invoke(args=["export", "tier_history", str(out)])
    assert result.exit_code == 0, result.output
    assert _sheet(out.read_bytes())[0]["at"] == datetime(2026, 1, 5, 9, 30)
