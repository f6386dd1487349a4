"""The churn service over a real database: totals, splits as of the start, stored results, refusals."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.extensions import db
from cstier.models import (
    ChurnedAccount,
    CoverageChange,
    CoverageModel,
    CustomAttribute,
    MetricResult,
)
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.errors import ValidationFailed
from cstier.services.metrics import churn, refresh_metrics, trend
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.metrics.conftest import FEB, JAN, NOW, subscribe

JANUARY_TOTAL = {
    "segment": "Total",
    "accounts_start": 3,
    "accounts_churned": 1,
    "logo_churn": 0.333333,
    "mrr_start_cents": 630_00,
    "mrr_end_cents": 550_00,
    "churned_mrr_cents": 100_00,
    "contraction_cents": 30_00,
    "grr": 0.793651,
    "nrr": 0.873016,
    "bridge": {
        "start": 630_00,
        "new": 40_00,
        "expansion": 50_00,
        "reactivation": 70_00,
        "contraction": 30_00,
        "churned": 100_00,
        "end": 660_00,
    },
}


def test_january_in_total(book):
    report = churn(db.session, SYSTEM_ACTOR, JAN, FEB)
    assert (report["start"], report["end"], report["by"]) == ("2026-01-01", "2026-02-01", None)
    assert report["total"] == JANUARY_TOTAL
    assert report["computed_at"] is None


def test_value_tiers_as_of_the_start_and_arrivals_where_they_end(book):
    report = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "value_tiers")
    segments = {s["segment"]: s for s in report["segments"]}
    assert set(segments) == {"Strategic", "Growth", "Scale", "(none)"}
    strategic = segments["Strategic"]
    assert (strategic["accounts_start"], strategic["accounts_churned"]) == (2, 1)
    assert strategic["bridge"]["expansion"] == 50_00
    assert segments["Growth"]["contraction_cents"] == 30_00  # Shrinker moved up on 20 January
    assert segments["Scale"]["bridge"]["reactivation"] == 70_00
    assert segments["(none)"]["bridge"]["new"] == 40_00
    assert report["total"] == JANUARY_TOTAL
    assert "start day" in report["basis"]


def test_current_field_splits_say_so(book):
    report = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "plan")
    assert "current values" in report["basis"]
    assert {s["segment"] for s in report["segments"]} == {"Pro", "Basic", "(none)"}


def test_csm_split_takes_transfers_and_current_owners_without_history(book, csm):
    report = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "csm")
    segments = {s["segment"]: s["accounts_start"] for s in report["segments"]}
    assert segments == {"Cleo CSM": 2, "Otto Other": 1, "(none)": 0}


def test_a_csm_sees_only_their_book(book, csm):
    report = churn(db.session, Actor(csm.id, "csm"), JAN, FEB)
    assert report["total"]["accounts_start"] == 2
    assert report["total"]["bridge"]["new"] == 40_00


def test_unknown_by_lists_the_valid_fields(book):
    with pytest.raises(
        ValidationFailed, match="by: unknown field 'colour'; valid fields are "
    ) as e:
        churn(db.session, SYSTEM_ACTOR, JAN, FEB, "colour")
    for valid in ("value_tiers", "coverage_model", "csm", "plan", "region", "vertical"):
        assert valid in str(e.value)


@pytest.mark.parametrize("end", [JAN, date(2025, 12, 1)])
def test_a_period_must_end_after_it_starts(book, end):
    with pytest.raises(ValidationFailed, match="end: the period's end .* is not after its start"):
        churn(db.session, SYSTEM_ACTOR, JAN, end)


def test_refresh_stores_the_monthly_figures_that_views_then_read(book):
    summary = refresh_metrics(db.session, NOW)
    assert summary.rows["total"] > 0 and "value_tiers" in summary.rows
    stored = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "value_tiers")
    assert stored["computed_at"] == NOW.isoformat()
    computed = churn(db.session, Actor(None, "viewer"), JAN, date(2026, 1, 31), "value_tiers")
    assert computed["computed_at"] is None
    assert stored["total"] == JANUARY_TOTAL
    series = trend(db.session, SYSTEM_ACTOR, NOW.date(), 3)
    assert [p["start"] for p in series["periods"]] == ["2025-12-01", "2026-01-01", "2026-02-01"]
    assert series["periods"][1]["total"] == JANUARY_TOTAL
    assert series["computed_at"] == NOW.isoformat()
    again = refresh_metrics(db.session, NOW)
    assert db.session.scalar(select(db.func.count()).select_from(MetricResult)) == sum(
        again.rows.values()
    )


def test_churned_accounts_are_those_without_a_running_subscription(book):
    company = CompanyFactory()
    pending = AccountFactory(company=company, name="Pending")
    subscribe(pending, "2026-06-01", None, 10_00)
    by_stage = AccountFactory(company=company, lifecycle_stage="churned")
    AccountFactory(company=company, lifecycle_stage="active")
    db.session.commit()
    summary = refresh_metrics(db.session, NOW)
    churned = dict(
        db.session.execute(select(ChurnedAccount.account_id, ChurnedAccount.since)).all()
    )
    assert churned == {book["Churner"].id: date(2026, 1, 20), by_stage.id: None}
    assert summary.churned_accounts == 2


def test_custom_attribute_and_coverage_model_splits(book):
    db.session.add(CustomAttribute(key="crm", label="CRM", data_type="text"))
    book["Grower"].attributes = {"crm": "HubSpot"}
    ensure_default_coverage(db.session)
    model = db.session.scalars(select(CoverageModel).order_by(CoverageModel.id)).first()
    db.session.add(
        CoverageChange(
            account_id=book["Shrinker"].id,
            to_model_id=model.id,
            at=datetime(2025, 6, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    crm = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "attr.crm")
    assert {s["segment"]: s["accounts_start"] for s in crm["segments"]} == {
        "HubSpot": 1,
        "(none)": 2,
    }
    models = churn(db.session, SYSTEM_ACTOR, JAN, FEB, "coverage_model")
    assert {s["segment"]: s["accounts_start"] for s in models["segments"]} == {
        model.name: 1,
        "(none)": 2,
    }
