"""`cstier demo` and `cstier up` fill an empty database and print logins that work."""

import re

import pytest
from sqlalchemy import func, select

from cstier import create_app
from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import (
    Account,
    Company,
    Contact,
    CoverageMatrixCell,
    CoverageModel,
    CustomAttribute,
    Department,
    MetricResult,
    Subscription,
    TierScheme,
    User,
    Workspace,
)
from cstier.services.login_limits import LoginLimits
from cstier.services.metrics import trend
from cstier.services.users import authenticate, create_user

LOGIN_LINE = re.compile(r"^(\S+@demo\.cstier\.io)\s+(\S+)\s+(\S+)$", re.MULTILINE)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _logins(output: str) -> list[tuple[str, str, str]]:
    return LOGIN_LINE.findall(output)


@pytest.fixture
def demo_output(runner, db_session) -> str:
    result = runner.invoke(args=["demo", "--accounts", "200", "--seed", "7"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    return result.output


def test_demo_fills_an_empty_database(demo_output, db_session):
    assert _count(Account) == 200
    assert _count(User) == 12
    assert 150 < _count(Company) < 200
    assert _count(Department) >= _count(Company)
    assert _count(Contact) >= 3 * _count(Company)
    assert set(db_session.scalars(select(CustomAttribute.key))) == {
        "crm", "uses_sso", "seats", "nps"
    }  # fmt: skip
    assert db_session.get(Workspace, 1) is not None
    assert (_count(TierScheme), _count(CoverageModel), _count(CoverageMatrixCell)) == (5, 3, 9)
    account = db_session.scalar(select(Account).where(Account.external_id == "demo-ac-000001"))
    assert account.company.name and account.arr_cents > 0 and account.renewal_date
    assert {"crm", "uses_sso", "seats"} <= set(account.attributes)


def test_demo_links_are_consistent(demo_output, db_session):
    subsidiaries = db_session.scalars(select(Company).where(Company.parent_id.is_not(None))).all()
    assert subsidiaries and all(c.parent.parent_id is None for c in subsidiaries)
    owners = set(db_session.scalars(select(User.role).join(Account, Account.csm_id == User.id)))
    assert owners == {"csm"}
    departments = db_session.scalars(select(Account).where(Account.unit_type == "department"))
    assert all(a.department.company_id == a.company_id for a in departments)


def test_demo_prints_logins_that_authenticate(demo_output, db_session, app):
    logins = _logins(demo_output)
    assert {role for _, _, role in logins} == {"admin", "cs_manager", "csm", "viewer"}
    assert len(logins) == 12
    for email, password, role in logins:
        user = authenticate(db_session, email, password, "127.0.0.1", limits=LoginLimits())
        assert user is not None and user.role == role, email


def test_demo_refuses_a_database_that_has_data(demo_output, runner):
    result = runner.invoke(args=["demo", "--accounts", "200", "--seed", "7"])
    assert result.exit_code == 1
    assert "already has" in result.output and "empty database" in result.output
    assert _count(Account) == 200


def test_new_rows_get_fresh_ids_after_the_demo(demo_output, db_session):
    user = create_user(db_session, "late@example.com", "a-long-password", "csm")
    assert user.id > 12


def test_up_migrates_loads_once_and_prints_the_url(tmp_path):
    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'up.db'}"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["up", "--no-serve", "--accounts", "40", "--port", "5055"])
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:5055" in first.output
    assert "Running upgrade" not in first.output and "alembic" not in first.output
    assert len(_logins(first.output)) == 12
    again = runner.invoke(args=["up", "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "already has users" in again.output and not _logins(again.output)
    assert "default coverage models" in first.output
    assert "default coverage models" not in again.output
    with app.app_context():
        assert _count(Account) == 40
        assert (_count(TierScheme), _count(CoverageModel)) == (5, 3)
        db.session.remove()
        db.engine.dispose()


def test_demo_carries_subscription_history_and_stored_metrics(demo_output, db_session):
    assert _count(Subscription) > 200
    assert _count(MetricResult) > 0
    assert "Computed churn and retention" in demo_output
    series = trend(db_session, SYSTEM_ACTOR, periods=24)
    totals = [p["total"] for p in series["periods"]]
    assert series["computed_at"] is not None
    for step in ("new", "expansion", "contraction", "churned", "reactivation"):
        assert sum(t["bridge"][step] for t in totals) > 0, step
    by_tier = trend(db_session, SYSTEM_ACTOR, periods=24, by="value_tiers")
    first = {s["segment"] for s in by_tier["periods"][0]["segments"]}
    assert first - {"(none)"}, "the oldest month has tiers to split by"
