"""Tiering forms: scheme definition editor and overrides."""

import json

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from cstier.domain.numbers import NonFiniteNumber, loads_finite
from cstier.web.forms_common import VersionField
from cstier.web.query import MAX_ID


class SchemeForm(FlaskForm):
    """Edit a scheme's definition; queue a preview of it or save it as a new version."""

    definition = TextAreaField("Definition (JSON)", validators=[DataRequired()])
    version = VersionField()
    preview = SubmitField("Preview")
    save = SubmitField("Save as new version")

    def validate_definition(self, field) -> None:
        """Refuse text that is not a JSON object, naming the line and column."""
        try:
            value = loads_finite(field.data)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from exc
        except NonFiniteNumber as exc:
            raise ValidationError(str(exc)) from exc
        if not isinstance(value, dict):
            raise ValidationError("The definition must be a JSON object.")

    def parsed(self) -> dict:
        """Return the definition as a dict."""
        return loads_finite(self.definition.data)


class OverrideForm(FlaskForm):
    """Pin an account's tier in one scheme."""

    scheme_id = SelectField("Scheme", coerce=int)
    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
    expires_on = DateField("Expires on (optional)", validators=[Optional()])
    submit = SubmitField("Override tier")


class RevokeForm(FlaskForm):
    """Revoke one override, at the version the list showed."""

    version = VersionField()


class RunForm(FlaskForm):
    """Start a tiering run (managers)."""

    run = SubmitField("Re-tier now")
    dry_run = SubmitField("Dry run")


class DefaultSchemesForm(FlaskForm):
    """Create the default schemes in an empty workspace (admins)."""

    submit = SubmitField("Create the default schemes")


class AsOfForm(FlaskForm):
    """Pick a past date, and optionally one account, to see tiers as they stood then."""

    date = DateField("As of", validators=[DataRequired()])
    account_id = IntegerField(
        "Account id (optional)", validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
