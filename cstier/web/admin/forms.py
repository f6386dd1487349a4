"""Admin forms: users, workspace settings, custom attributes."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from cstier.domain.customer import (
    ACCOUNT_UNITS,
    ATTRIBUTE_CATEGORIES,
    ATTRIBUTE_TYPES,
    split_choices,
)
from cstier.domain.permissions import ROLES
from cstier.web.forms_common import VersionField

CHOICES_LABEL = "Choices (choice type): one per line; a choice may contain commas"


class NewUserForm(FlaskForm):
    """Invite a user with a first password."""

    email = EmailField("Email", validators=[DataRequired(), Email()])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=list(ROLES.items()))
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
    submit = SubmitField("Create user")


class EditUserForm(FlaskForm):
    """Change a user's role, name or active flag, or reset the password."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=list(ROLES.items()))
    active = BooleanField("Active")
    password = PasswordField("New password (optional)", validators=[Optional(), Length(min=8)])
    version = VersionField()
    submit = SubmitField("Save user")


class WorkspaceForm(FlaskForm):
    """Workspace settings: what the customer unit is, name, timezone, currency."""

    name = StringField("Workspace name", validators=[DataRequired(), Length(max=120)])
    account_unit = SelectField("The customer is a", choices=list(ACCOUNT_UNITS.items()))
    timezone = StringField("Timezone", validators=[DataRequired(), Length(max=60)])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    version = VersionField()
    submit = SubmitField("Save settings")


class CustomAttributeForm(FlaskForm):
    """Define a typed custom attribute."""

    key = StringField("Key", validators=[DataRequired(), Length(max=60)])
    label = StringField("Label", validators=[DataRequired(), Length(max=120)])
    data_type = SelectField("Type", choices=[(t, t) for t in ATTRIBUTE_TYPES])
    category = SelectField("Category", choices=[(c, c) for c in ATTRIBUTE_CATEGORIES])
    choices = TextAreaField(CHOICES_LABEL, validators=[Optional()])
    submit = SubmitField("Add attribute")

    def choice_list(self) -> list[str]:
        """Return the choices typed, trimmed, blanks left out."""
        return split_choices(self.choices.data or "")


class CustomAttributeEditForm(FlaskForm):
    """Relabel a custom attribute, move it to another category or change its choices."""

    label = StringField("Label", validators=[DataRequired(), Length(max=120)])
    category = SelectField("Category", choices=[(c, c) for c in ATTRIBUTE_CATEGORIES])
    choices = TextAreaField(CHOICES_LABEL, validators=[Optional()])
    version = VersionField()
    submit = SubmitField("Save attribute")

    def choice_list(self) -> list[str]:
        """Return the choices typed, trimmed, blanks left out."""
        return split_choices(self.choices.data or "")
