"""The segment health page's one form: the headline metric a segment reads first."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import DataRequired, Length

from cstier.services.metrics.segment_health import HEADLINES


class HeadlineForm(FlaskForm):
    """Choose a segment's headline: a dollar (GRR, NRR) or a volume (logo churn) measure."""

    by = HiddenField(validators=[DataRequired(), Length(max=80)])
    segment = HiddenField(validators=[DataRequired(), Length(max=200)])
    start = HiddenField(validators=[Length(max=10)])
    end = HiddenField(validators=[Length(max=10)])
    metric = SelectField("Headline", choices=list(HEADLINES.items()))
    submit = SubmitField("Set")


class RefreshForm(FlaskForm):
    """Queue a refresh of the stored monthly figures (CSRF only)."""

    submit = SubmitField("Refresh now")
