"""Forms for alert rules, subscriptions, webhook endpoints and the small confirm buttons."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cstier.domain.alerts.rules import RULE_KINDS
from cstier.services.alerts_delivery.changes import EVENT_TYPES
from cstier.services.alerts_delivery.endpoints import FORMATS
from cstier.services.alerts_delivery.rules import CADENCES
from cstier.web.forms_common import optional_id


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RuleForm(FlaskForm):
    """Who is told of what: a kind of change, narrowed by scheme, tier, region or model."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Tell of", choices=list(RULE_KINDS.items()))
    # The service checks these exist, so a stale or forged choice gets its message.
    scheme_id = SelectField("Tier scheme", coerce=optional_id, validate_choice=False)
    tier = StringField("Tier (into or out of)", validators=[Optional(), Length(max=60)])
    region = StringField("Region", validators=[Optional(), Length(max=50)])
    coverage_model_id = SelectField("Coverage model", coerce=optional_id, validate_choice=False)
    submit = SubmitField("Save rule")


class SubscriptionForm(FlaskForm):
    """How one user hears of one rule."""

    channels = CheckboxesField("Channels", choices=[])
    cadence = SelectField("When", choices=list(CADENCES.items()), validate_choice=False)
    submit = SubmitField("Save")


class EndpointForm(FlaskForm):
    """A webhook endpoint: where, which events, which payload."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    url = StringField("URL", validators=[DataRequired(), Length(max=2000)])
    events = CheckboxesField(
        "Events", choices=[(e, e) for e in EVENT_TYPES], default=list(EVENT_TYPES)
    )
    payload_format = SelectField("Payload", choices=list(FORMATS.items()), validate_choice=False)
    rule_id = SelectField("Only changes of rule", coerce=optional_id, validate_choice=False)
    enabled = BooleanField("Enabled", default=True)
    submit = SubmitField("Save endpoint")


class ConfirmForm(FlaskForm):
    """A button that posts (the CSRF token is the point)."""
