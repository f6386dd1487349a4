"""Every number a user can enter in a web form is finite: NaN, infinities and 1e400 are refused."""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from wtforms import DecimalField, FloatField, Form
from wtforms.fields.core import UnboundField

from cstier.domain.tiering.defaults import NEEDS_TIERS, VALUE_TIERS
from cstier.extensions import db
from cstier.models import (
    Account,
    Company,
    CoverageModel,
    CsmProfile,
    TierScheme,
    TierSchemeVersion,
    User,
)
from cstier.services import workspace
from cstier.services.coverage.seed import ensure_default_coverage
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.web.accounts.forms import attribute_fields
from cstier.web.forms_common import FiniteNumberMixin
from cstier.web.tiers.builder_convert import definition_to_formdata
from tests.factories import AccountFactory, CompanyFactory

BAD = ["NaN", "nan", "Infinity", "-Infinity", "1e400"]
# What the user reads next to the field: a form field's own message, or the scheme's.
CLEAR = re.compile(r"finite number|Not a valid integer value|Not valid JSON|must be a number")


@dataclass
class Entry:
    """A form that takes a number: who posts what where, and what must stay as it was."""

    user: str
    url: str
    data: dict[str, Any]
    field: str
    stored: Callable[[], Any]


def _read(statement) -> Any:
    with Session(db.engine) as fresh:
        return fresh.execute(statement).all()


def _account_form(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "external_id": account.external_id,
        "unit_type": "company",
        "company_id": str(account.company_id),
        "department_id": "",
        "contact_id": "",
        "csm_id": str(account.csm_id or ""),
        "arr": "1200.00",
        "plan": "Pro",
        "lifecycle_stage": "active",
        "contract_start_date": "2026-01-01",
        "renewal_date": "2027-01-01",
        "version": str(account.version),
    }


def _new_account(field: str) -> Callable[[Any], Entry]:
    def build(session) -> Entry:
        company = CompanyFactory()
        data = _account_form(AccountFactory.build(company=company, csm_id=None)) | {
            "company_id": str(company.id),
            "external_id": "AC-NEW",
            "version": "",
        }
        return Entry("manager", "/accounts/new", data, field, lambda: _read(select(Account.id)))

    return build


def _account_attribute(session) -> Entry:
    """A CSM edits a number custom attribute of an account in their book (the probe's case)."""
    workspace.add_custom_attribute(
        session, key="nps", label="NPS", data_type="number", category="behavioural", choices=[]
    )
    csm_id = session.scalar(select(User.id).where(User.role == "csm"))
    account = AccountFactory(csm_id=csm_id, attributes={"nps": 7.5})
    stored = select(Account.attributes, Account.version).where(Account.id == account.id)
    return Entry(
        "csm",
        f"/accounts/{account.id}/edit",
        _account_form(account),
        "attr_nps",
        lambda: _read(stored),
    )


def _new_company(field: str) -> Callable[[Any], Entry]:
    def build(session) -> Entry:
        data = {"name": "Initech", "external_id": "CO-NEW", "region": "", "parent_id": ""}
        return Entry("manager", "/companies/new", data, field, lambda: _read(select(Company.id)))

    return build


def _coverage_model(field: str) -> Callable[[Any], Entry]:
    def build(session) -> Entry:
        ensure_default_coverage(session)
        session.commit()
        model_id = session.scalar(select(CoverageModel.id).where(CoverageModel.key == "pooled"))
        data = {
            "name": "Pooled",
            "motion": "pooled",
            "accounts_per_csm": "250",
            "hard_limit_pct": "120",
            "arr_per_csm": "3000000",
        }
        row = select(CoverageModel.__table__).where(CoverageModel.id == model_id)
        return Entry(
            "manager", f"/coverage/models/{model_id}/edit", data, field, lambda: _read(row)
        )

    return build


def _csm_fte(session) -> Entry:
    ensure_default_coverage(session)
    session.commit()
    csm_id = session.scalar(select(User.id).where(User.role == "csm"))
    data = {"fte": "1.00", "regions": "", "coverage_model_keys": ["high_touch"]}
    return Entry(
        "manager", f"/coverage/csms/{csm_id}", data, "fte", lambda: _read(select(CsmProfile.fte))
    )


def _versions() -> Any:
    return _read(select(TierScheme.id, TierScheme.current_version, func.count()).join(
        TierSchemeVersion, TierSchemeVersion.scheme_id == TierScheme.id
    ).group_by(TierScheme.id, TierScheme.current_version))  # fmt: skip


def _scheme_id(session, name: str) -> int:
    ensure_default_schemes(session)
    session.commit()
    return session.scalar(select(TierScheme.id).where(TierScheme.name == name))


def _builder(scheme: dict, field: str, template: str = "{}") -> Callable[[Any], Entry]:
    def build(session) -> Entry:
        scheme_id = _scheme_id(session, scheme["name"])
        data = definition_to_formdata(scheme) | {"action": "save", "_template": template}
        return Entry("admin", f"/tiers/schemes/{scheme_id}/builder", data, field, _versions)

    return build


def _new_percentile_scheme(session) -> Entry:
    ensure_default_schemes(session)
    session.commit()
    scheme = {
        "dimension": "value",
        "name": "Value by rank",
        "method": "percentiles",
        "field": "arr",
        "percentiles": [{"tier": "Top", "share": 10}, {"tier": "Rest", "share": 90}],
    }
    data = definition_to_formdata(scheme) | {"action": "create"}
    return Entry("admin", "/tiers/builder/new", data, "percentiles-0-share", _versions)


def _json_editor(session) -> Entry:
    scheme_id = _scheme_id(session, VALUE_TIERS["name"])
    return Entry("admin", f"/tiers/schemes/{scheme_id}", {"save": "y"}, "definition", _versions)


def _json_text(bad: str) -> str:
    definition = json.loads(json.dumps(VALUE_TIERS))
    definition["bands"][0]["min"] = "__BAD__"
    return json.dumps(definition).replace('"__BAD__"', bad)


WEB_ENTRIES: dict[str, Callable[[Any], Entry]] = {
    "account ARR": _new_account("arr"),
    "account number attribute": _account_attribute,
    "company annual revenue": _new_company("annual_revenue"),
    "company employees": _new_company("employees"),
    "coverage model accounts per CSM": _coverage_model("accounts_per_csm"),
    "coverage model ARR per CSM": _coverage_model("arr_per_csm"),
    "coverage model hard limit": _coverage_model("hard_limit_pct"),
    "CSM FTE": _csm_fte,
    "builder band min": _builder(VALUE_TIERS, "bands-0-min"),
    "builder band max": _builder(VALUE_TIERS, "bands-1-max"),
    "builder hysteresis": _builder(VALUE_TIERS, "hysteresis_value"),
    "builder expansion weight": _builder(VALUE_TIERS, "expansion_weight"),
    "builder share": _new_percentile_scheme,
    "builder component weight": _builder(NEEDS_TIERS, "components-0-weight"),
    "builder component min": _builder(NEEDS_TIERS, "components-0-min"),
    "builder component max": _builder(NEEDS_TIERS, "components-3-max"),
    "builder mapping score": _builder(NEEDS_TIERS, "components-1-mapping", "low={}"),
    "builder threshold": _builder(NEEDS_TIERS, "thresholds-0-min"),
    "scheme JSON editor": _json_editor,
}


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("entry_name", list(WEB_ENTRIES))
def test_every_web_number_refuses_non_finite_values(
    client, auth, request, admin, manager, csm, db_session, entry_name, bad
):
    entry = WEB_ENTRIES[entry_name](db_session)
    before = entry.stored()
    auth.login(request.getfixturevalue(entry.user).email)
    data = dict(entry.data)
    template = data.pop("_template", "{}")
    data[entry.field] = _json_text(bad) if entry.field == "definition" else template.format(bad)

    response = client.post(entry.url, data=data)

    assert response.status_code == 400, entry_name
    assert CLEAR.search(response.get_data(as_text=True)), entry_name
    assert entry.stored() == before


def test_a_finite_number_attribute_is_saved_as_a_number(client, auth, csm, db_session):
    entry = _account_attribute(db_session)
    auth.login(csm.email)

    response = client.post(entry.url, data=entry.data | {"attr_nps": "8.25"})

    assert response.status_code == 302
    [(attributes, _version)] = entry.stored()
    assert attributes == {"nps": 8.25}
    assert Decimal(str(attributes["nps"])).is_finite()


def _web_forms() -> list[type]:
    """Return the app's form classes (the app has imported every blueprint's forms)."""
    found, pending = [], [Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("cstier."):
                found.append(subclass)
    return found


def test_every_decimal_or_float_field_of_the_web_is_a_finite_one(app):
    """The guard for new forms: a plain DecimalField or FloatField would take NaN."""
    forms = _web_forms()
    fields = {
        f"{form.__name__}.{name}": unbound.field_class
        for form in forms
        for name, unbound in vars(form).items()
        if isinstance(unbound, UnboundField)
        and issubclass(unbound.field_class, DecimalField | FloatField)
    }
    attribute = SimpleNamespace(key="nps", label="NPS", data_type="number", choices=[])
    fields["attribute_fields(number)"] = attribute_fields([attribute])["attr_nps"].field_class

    assert len(forms) >= 20 and len(fields) >= 15, fields
    assert {name for name, cls in fields.items() if not issubclass(cls, FiniteNumberMixin)} == set()


@pytest.mark.skipif(
    "CSTIER_TEST_DATABASE_URL" in os.environ,
    reason="PostgreSQL's JSONB cannot hold Infinity: only SQLite could have stored it",
)
def test_an_attribute_stored_as_infinity_shows_empty_on_the_edit_page(
    client, auth, csm, db_session
):
    entry = _account_attribute(db_session)
    db_session.execute(text("UPDATE account SET attributes = '{\"nps\": Infinity}'"))
    db_session.commit()
    auth.login(csm.email)

    page = client.get(entry.url)

    assert page.status_code == 200
    assert re.search(r'name="attr_nps"[^>]*value=""', page.get_data(as_text=True))
