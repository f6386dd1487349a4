"""Health forms: log a touch, complete a milestone, override a band, edit scorecards and plans."""

import json

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from cstier.domain.engagement import TOUCH_KINDS
from cstier.domain.health.scorecard import BANDS, SCOPES
from cstier.domain.numbers import NonFiniteNumber, loads_finite
from cstier.services.engagement import MAX_NOTE
from cstier.web.forms_common import VersionField


class TouchForm(FlaskForm):
    """Log a call, meeting, QBR or email."""

    kind = SelectField("Kind", choices=list(TOUCH_KINDS.items()))
    occurred_on = DateField("Day", validators=[DataRequired(message="Give the day of the touch.")])
    note = TextAreaField("Note", validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField("Log touch")


class MilestoneForm(FlaskForm):
    """Record the day a plan milestone was completed."""

    # The service checks the key against the account's plan.
    key = SelectField("Milestone", choices=[], validate_choice=False)
    completed_on = DateField("Completed on", validators=[DataRequired(message="Give a day.")])
    submit = SubmitField("Mark completed")


class HealthOverrideForm(FlaskForm):
    """Pin an account's health band with a reason, until an optional expiry."""

    band = SelectField("Band", choices=[(b, b.title()) for b in BANDS])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
    expires_on = DateField("Expires on (optional)", validators=[Optional()])
    submit = SubmitField("Override band")


class RevokeHealthOverrideForm(FlaskForm):
    """End a health override."""


def _json(field, kind: type):
    try:
        value = loads_finite(field.data)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except NonFiniteNumber as exc:
        raise ValidationError(str(exc)) from exc
    if not isinstance(value, kind):
        raise ValidationError(f"Must be a JSON {'object' if kind is dict else 'list'}.")
    return value


class ScorecardForm(FlaskForm):
    """A scorecard: its scope and its definition as JSON."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    scope = SelectField("Serves", choices=[(s, s.replace("_", " ")) for s in SCOPES])
    scope_key = StringField(
        "Coverage model key or value tier", validators=[Optional(), Length(max=60)]
    )
    definition = TextAreaField("Definition (JSON)", validators=[DataRequired()])
    version = VersionField()
    submit = SubmitField("Save scorecard")

    def validate_definition(self, field) -> None:
        """Refuse text that is not a JSON object, naming the line and column."""
        _json(field, dict)

    def values(self) -> dict:
        """Return the form as the service takes it."""
        return {"name": self.name.data, "scope": self.scope.data,
                "scope_key": self.scope_key.data, "definition": loads_finite(self.definition.data)}  # fmt: skip


class PlanForm(FlaskForm):
    """An onboarding plan: milestones as JSON, stall and overdue thresholds in days."""

    milestones = TextAreaField("Milestones (JSON list)", validators=[DataRequired()])
    stall_days = StringField("Stalled after N days without a completion")
    overdue_days = StringField("Stalled when a milestone is overdue by more than M days")
    version = VersionField()
    submit = SubmitField("Save plan")

    def validate_milestones(self, field) -> None:
        """Refuse text that is not a JSON list of milestones."""
        value = _json(field, list)
        if not all(isinstance(m, dict) for m in value):
            raise ValidationError("Each milestone must be a JSON object.")

    def values(self) -> dict:
        """Return the form as the service takes it."""
        return {"milestones": loads_finite(self.milestones.data),
                "stall_days": self.stall_days.data, "overdue_days": self.overdue_days.data}  # fmt: skip


class CadenceForm(FlaskForm):
    """A coverage model's cadence: a touch kind (or any) every N days, or none."""

    touch_kind = SelectField(
        "Touch", choices=[("", "Any touch"), *TOUCH_KINDS.items(), ("none", "No cadence")]
    )
    every_days = StringField("Every N days")
    submit = SubmitField("Save cadence")
