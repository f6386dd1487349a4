"""Coverage forms: models, matrix, profiles, pools, assignment, suggestions, handoffs."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from cstier.domain.coverage import MOTIONS
from cstier.extensions import db
from cstier.services import users
from cstier.web.forms_common import (
    MAX_MONEY,
    MONEY_RANGE,
    FiniteDecimalField,
    VersionField,
    optional_id,
)
from cstier.web.query import MAX_ID


def split_list(text: str | None) -> list[str]:
    """Split a comma-separated field into trimmed values."""
    return [v.strip() for v in (text or "").split(",") if v.strip()]


class CoverageModelForm(FlaskForm):
    """Edit one coverage model."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    motion = SelectField("Motion", choices=list(MOTIONS.items()))
    # InputRequired on numbers: DataRequired would replace "not a valid number" with "required".
    accounts_per_csm = IntegerField(
        "Accounts per CSM", validators=[InputRequired(), NumberRange(min=1)]
    )
    arr_per_csm = FiniteDecimalField(
        "ARR per CSM (optional)",
        places=0,
        validators=[
            Optional(),
            NumberRange(min=1),
            NumberRange(max=MAX_MONEY, message=MONEY_RANGE),
        ],
    )
    hard_limit_pct = IntegerField(
        "Hard limit (% of target)", validators=[InputRequired(), NumberRange(min=100, max=400)]
    )
    cadence = StringField("Engagement cadence", validators=[Optional(), Length(max=200)])
    version = VersionField()
    submit = SubmitField("Save model")

    def values(self) -> dict:
        """Return the model values the form carries (ARR in cents)."""
        arr = self.arr_per_csm.data
        return {
            "name": (self.name.data or "").strip(),
            "motion": self.motion.data,
            "accounts_per_csm": self.accounts_per_csm.data,
            "arr_per_csm_cents": int(arr * 100) if arr is not None else None,
            "hard_limit_pct": self.hard_limit_pct.data,
            "cadence": (self.cadence.data or "").strip(),
        }


class ActionForm(FlaskForm):
    """A bare POST (derive, seed) that only needs the CSRF token."""

    submit = SubmitField("Save")


class VersionedActionForm(FlaskForm):
    """A POST on one versioned thing (matrix save, pool delete, handoff done) and its version."""

    version = VersionField()
    submit = SubmitField("Save")


class ProfileForm(FlaskForm):
    """A CSM's capacity and fit."""

    fte = FiniteDecimalField(
        "FTE", places=2, validators=[InputRequired(), NumberRange(min=0.05, max=2)]
    )
    regions = StringField("Regions (comma-separated; empty means any)")
    verticals = StringField("Verticals (comma-separated; empty means any)")
    languages = StringField("Languages (comma-separated)")
    coverage_model_keys = SelectMultipleField("Coverage models served")
    version = VersionField()
    submit = SubmitField("Save profile")

    def values(self) -> dict:
        """Return the profile values the form carries."""
        return {
            "fte": self.fte.data,
            "regions": split_list(self.regions.data),
            "verticals": split_list(self.verticals.data),
            "languages": split_list(self.languages.data),
            "coverage_model_keys": list(self.coverage_model_keys.data or []),
        }


class PoolForm(FlaskForm):
    """A pool: a team sharing one book for one coverage model."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    coverage_model_id = SelectField("Coverage model", coerce=optional_id)
    member_ids = SelectMultipleField("Members", coerce=int)
    version = VersionField()
    submit = SubmitField("Save pool")


class CsmSelectField(SelectField):
    """A select of CSMs that checks the one posted id in the database, not against every option.

    A large team's select lists only a few options (the rest are searched for), so the posted
    id is looked up instead: unknown users, other roles and inactive CSMs are refused alike.
    """

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, coerce=optional_id, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the posted id; anything but a whole number an id column holds is refused."""
        text = (valuelist[0] if valuelist else "").strip()
        if text in ("", "None", "0"):
            self.data = None
        elif text.isascii() and text.isdigit() and int(text) <= MAX_ID:
            self.data = int(text)
        else:
            self.data = None
            raise ValueError("Choose a CSM from the list: that value is not a CSM's id.")

    def pre_validate(self, form) -> None:
        """Refuse an id that is not an active CSM's."""
        if self.data is not None and users.csm_choice(db.session, self.data) is None:
            raise ValidationError(
                f"Choose an active CSM from the list: user #{self.data} is unknown, "
                "inactive or not a CSM."
            )


class AssignForm(FlaskForm):
    """Where the checked accounts go, and why."""

    csm_id = CsmSelectField("Assign to CSM")
    pool_id = SelectField("and/or pool", coerce=optional_id, validate_choice=False)
    reason = StringField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=500)]
    )
    override_reason = StringField(
        "Manager override (reason)", validators=[Optional(), Length(max=500)]
    )
    handoff_due = DateField("Handoff due", validators=[Optional()])
    handoff_notes = TextAreaField("Handoff notes", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Assign checked accounts")


class AcceptForm(FlaskForm):
    """Accept the checked suggestions, or all of them."""

    reason = StringField(
        "Reason", default="Capacity-aware suggestion", validators=[Length(max=500)]
    )
    accept_selected = SubmitField("Accept checked")
    accept_all = SubmitField("Accept all")


class WorklistForm(FlaskForm):
    """Accept the checked suggestions of the reassignment worklist, or all of them."""

    reason = StringField("Reason", default="Coverage model changed", validators=[Length(max=500)])
    accept_selected = SubmitField("Accept checked")
    accept_all = SubmitField("Accept all")
