"""Account forms: the edit form and the list filters."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cstier.domain.customer import ACCOUNT_UNITS, LIFECYCLE_STAGES
from cstier.web.forms_common import (
    MAX_MONEY,
    MONEY_RANGE,
    FiniteDecimalField,
    VersionField,
    optional_id,
)


class AccountForm(FlaskForm):
    """Create or edit an account."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    external_id = StringField("External id", validators=[DataRequired(), Length(max=100)])
    unit_type = SelectField("Customer unit", choices=list(ACCOUNT_UNITS.items()))
    company_id = SelectField("Company", coerce=optional_id, validators=[DataRequired()])
    department_id = SelectField("Department", coerce=optional_id, validate_choice=False)
    contact_id = SelectField("Decision maker / contact", coerce=optional_id, validate_choice=False)
    csm_id = SelectField("CSM (owner)", coerce=optional_id)
    arr = FiniteDecimalField(
        "ARR",
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, message="ARR cannot be negative."),
            NumberRange(max=MAX_MONEY, message=MONEY_RANGE),
        ],
    )
    plan = StringField("Plan", validators=[Optional(), Length(max=50)])
    lifecycle_stage = SelectField("Lifecycle stage", choices=list(LIFECYCLE_STAGES.items()))
    contract_start_date = DateField("Contract start", validators=[Optional()])
    renewal_date = DateField("Renewal date", validators=[Optional()])
    version = VersionField()
    submit = SubmitField("Save account")

    def values(self) -> dict:
        """Return the model values the form carries."""
        return {
            "name": self.name.data.strip(),
            "external_id": self.external_id.data.strip(),
            "unit_type": self.unit_type.data,
            "company_id": self.company_id.data,
            "department_id": self.department_id.data,
            "contact_id": self.contact_id.data,
            "csm_id": self.csm_id.data,
            "arr_cents": int((self.arr.data or Decimal(0)) * 100),
            "plan": (self.plan.data or "").strip() or None,
            "lifecycle_stage": self.lifecycle_stage.data,
            "contract_start_date": self.contract_start_date.data,
            "renewal_date": self.renewal_date.data,
        }


def attribute_fields(definitions) -> dict:
    """Return WTForms fields for the workspace's typed custom attributes."""
    fields = {}
    for d in definitions:
        label, name = d.label, f"attr_{d.key}"
        if d.data_type == "number":
            fields[name] = FiniteDecimalField(label, validators=[Optional()])
        elif d.data_type == "boolean":
            fields[name] = BooleanField(label)
        elif d.data_type == "date":
            fields[name] = DateField(label, validators=[Optional()])
        elif d.data_type == "choice":
            fields[name] = SelectField(label, choices=[("", "—")] + [(c, c) for c in d.choices])
        else:
            fields[name] = StringField(label, validators=[Optional(), Length(max=200)])
    return fields


class AccountFilterForm(Form):
    """The account list's filters, read from the query string (no CSRF: it only reads)."""

    q = StringField("Search")
    lifecycle_stage = SelectField(
        "Stage", choices=[("", "Any stage")] + list(LIFECYCLE_STAGES.items()), default=""
    )
    region = SelectField("Region", choices=[("", "Any region")], validate_choice=False)
    industry = SelectField("Vertical", choices=[("", "Any vertical")], validate_choice=False)
    plan = SelectField("Plan", choices=[("", "Any plan")], validate_choice=False)
    csm_id = SelectField("CSM", choices=[("", "Any CSM")], validate_choice=False)
    coverage_model = SelectField("Coverage", choices=[("", "Any coverage")], validate_choice=False)
    # The tier filter comes from a tier link; the form carries it so it combines with the rest.
    tier_scheme = HiddenField()
    tier = HiddenField()
    arr_min = FiniteDecimalField("ARR from", validators=[Optional(), NumberRange(0, MAX_MONEY)])
    arr_max = FiniteDecimalField("ARR to", validators=[Optional(), NumberRange(0, MAX_MONEY)])
    # A renewal window comes from a dashboard link, as the tier filter does.
    renewal_from = DateField("Renews from", validators=[Optional()])
    renewal_to = DateField("Renews until", validators=[Optional()])
    sort = HiddenField(default="name")
    dir = HiddenField(default="asc")
    per_page = IntegerField(default=50, validators=[Optional(), NumberRange(min=10, max=200)])
