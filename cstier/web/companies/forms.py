"""Company, department and contact forms."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from cstier.domain.customer import CONTACT_ROLES, REGIONS
from cstier.web.forms_common import (
    EMPLOYEES_RANGE,
    MAX_EMPLOYEES,
    MAX_MONEY,
    MONEY_RANGE,
    FiniteDecimalField,
    VersionField,
    optional_id,
)


class CompanyForm(FlaskForm):
    """Create or edit a company."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    external_id = StringField("External id", validators=[DataRequired(), Length(max=100)])
    domain = StringField("Domain", validators=[Optional(), Length(max=200)])
    industry = StringField("Industry / vertical", validators=[Optional(), Length(max=100)])
    region = SelectField("Region", choices=[("", "—")] + [(r, r) for r in REGIONS])
    country = StringField("Country (ISO code)", validators=[Optional(), Length(min=2, max=2)])
    employees = IntegerField(
        "Employees",
        validators=[
            Optional(),
            NumberRange(min=0, message="Cannot be negative."),
            NumberRange(max=MAX_EMPLOYEES, message=EMPLOYEES_RANGE),
        ],
    )
    annual_revenue = FiniteDecimalField(
        "Annual revenue",
        places=0,
        validators=[
            Optional(),
            NumberRange(min=0, message="Cannot be negative."),
            NumberRange(max=MAX_MONEY, message=MONEY_RANGE),
        ],
    )
    parent_id = SelectField("Parent company", coerce=optional_id)
    version = VersionField()
    submit = SubmitField("Save company")

    def values(self) -> dict:
        """Return the model values the form carries."""
        revenue = self.annual_revenue.data
        return {
            "name": self.name.data.strip(),
            "external_id": self.external_id.data.strip(),
            "domain": (self.domain.data or "").strip() or None,
            "industry": (self.industry.data or "").strip() or None,
            "region": self.region.data or None,
            "country": (self.country.data or "").strip().upper() or None,
            "employees": self.employees.data,
            "annual_revenue_cents": int(revenue * 100) if revenue is not None else None,
            "parent_id": self.parent_id.data,
        }

    def load(self, company) -> None:
        """Fill the money field from integer cents."""
        if company.annual_revenue_cents is not None:
            self.annual_revenue.data = Decimal(company.annual_revenue_cents) / 100


class DepartmentForm(FlaskForm):
    """Add a department."""

    name = StringField("Department name", validators=[DataRequired(), Length(max=200)])
    external_id = StringField("External id", validators=[DataRequired(), Length(max=100)])
    submit = SubmitField("Add department")


class ContactForm(FlaskForm):
    """Add a contact."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    external_id = StringField("External id", validators=[DataRequired(), Length(max=100)])
    email = EmailField("Email", validators=[Optional(), Email()])
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=list(CONTACT_ROLES.items()))
    department_id = SelectField("Department", coerce=optional_id)
    submit = SubmitField("Add contact")


class DepartmentEditForm(DepartmentForm):
    """Rename a department or change its external id, at the version opened."""

    version = VersionField()
    submit = SubmitField("Save department")

    def values(self) -> dict:
        """Return the model values the form carries."""
        return {"name": self.name.data.strip(), "external_id": self.external_id.data.strip()}


class ContactEditForm(ContactForm):
    """Change a contact, at the version opened."""

    version = VersionField()
    submit = SubmitField("Save contact")

    def values(self) -> dict:
        """Return the model values the form carries."""
        return {
            "name": self.name.data.strip(),
            "external_id": self.external_id.data.strip(),
            "email": (self.email.data or "").strip() or None,
            "title": (self.title.data or "").strip() or None,
            "role": self.role.data,
            "department_id": self.department_id.data,
        }
