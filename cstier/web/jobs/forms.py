"""Forms of the jobs pages."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class RunNowForm(FlaskForm):
    """Queue a scheduled job to run now."""

    submit = SubmitField("Run now")


class CronForm(FlaskForm):
    """A job's schedule as a five-field cron expression, in the workspace timezone."""

    cron = StringField(
        "Cron expression",
        validators=[
            DataRequired(message="Give a cron expression, e.g. '0 7 * * mon'."),
            Length(max=120),
        ],
    )
    submit = SubmitField("Save schedule")
