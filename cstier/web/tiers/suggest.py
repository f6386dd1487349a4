"""Suggested segments from k-means clusters (routes on the tiers blueprint)."""

import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from cstier.domain.segments_suggest import Suggestion, scatter_points
from cstier.domain.tiering.operators import SYMBOLS
from cstier.extensions import db
from cstier.services.errors import ServiceError
from cstier.services.tiering import suggest
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.tiers.routes import bp


class SuggestForm(FlaskForm):
    """Pick numeric features and the number of segments to look for."""

    class Meta:
        csrf = False  # a read-only GET form

    features = SelectMultipleField(
        "Features",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names a field that is not numeric
    )
    k = IntegerField("Number of segments (k)", default=4, validators=[InputRequired()])


class AdoptForm(FlaskForm):
    """Turn the proposal for these features and k into a rule-based segment scheme."""

    features = HiddenField()
    k = HiddenField()
    name = StringField("Scheme name", validators=[InputRequired(), Length(max=120)])


def describe_rule(rule: dict[str, Any]) -> str:
    """Read a proposed rule as 'arr ≥ 577,000 and employees between 300 and 5,117'."""
    parts = []
    for condition in rule["conditions"]:
        value = condition["value"]
        if condition["op"] == "between":
            parts.append(f"{condition['field']} between {value[0]:,} and {value[1]:,}")
        else:
            parts.append(f"{condition['field']} {SYMBOLS[condition['op']]} {value:,}")
    return " and ".join(parts)


def _chart(suggestion: Suggestion) -> dict[str, Any]:
    features = suggestion.features
    if len(features) >= 2:
        points = scatter_points(suggestion.assignment, features[0], features[1])
        return {"type": "scatter", "x": features[0], "y": features[1], "points": points}
    medians = {
        p.tier: None if math.isnan(p.medians[features[0]]) else p.medians[features[0]]
        for p in suggestion.profiles
    }
    return {"type": "bar", "x": features[0], "medians": medians}


@bp.route("/suggest")
@roles_required(*MANAGERS)
def suggest_page():
    """Propose k segments from the picked features, with their profiles and rules."""
    form = SuggestForm(formdata=request.args if request.args else None)
    form.features.choices = suggest.numeric_features(db.session)
    result, status, message = None, 200, ""
    if "k" in request.args:
        if form.validate():
            try:
                result = suggest.suggest(
                    db.session, current_actor(), form.features.data, form.k.data
                )
            except ServiceError as exc:
                message, status = str(exc), 400
        else:
            message, status = " ".join(e for es in form.errors.values() for e in es), 400
    adopt = AdoptForm(
        formdata=None, features=",".join(form.features.data or []), k=form.k.data, name=""
    )
    return render_template(
        "tiers/suggest.html",
        form=form,
        adopt=adopt,
        result=result,
        chart=_chart(result) if result else None,
        message=message,
        describe_rule=describe_rule,
        can_adopt=current_actor().role == "admin",
    ), status


@bp.route("/suggest/schemes", methods=["POST"])
@roles_required("admin")
def adopt_suggestion():
    """Create a rule-based segment scheme from a proposal and open it in the builder."""
    form = AdoptForm()
    features = [f for f in (form.features.data or "").split(",") if f]
    back = url_for(".suggest_page", features=features, k=form.k.data)
    if not form.validate_on_submit() or not (form.k.data or "").isdigit():
        flash("Name the new scheme and pick the features again.", "danger")
        return redirect(back)
    try:
        scheme = suggest.adopt(
            db.session, current_actor(), features, int(form.k.data), form.name.data
        )
    except ServiceError as exc:
        flash(str(exc), "danger")
        return redirect(back)
    flash(
        f"Created the segment scheme {scheme.name}. Review its rules before the next run.",
        "success",
    )
    return redirect(url_for(".builder", scheme_id=scheme.id))
