"""Run a form's save and turn the service's refusal into field errors, flashes and a status."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from wtforms import Form

from cstier.services.errors import Conflict, ValidationFailed
from cstier.web.forms_common import apply_errors

Saved = TypeVar("Saved")


def save_or_refuse(form: Form, save: Callable[[], Saved]) -> tuple[Saved | None, int]:
    """Return what `save` saved and 200, or None and 400 (invalid) or 409 (someone saved first)."""
    try:
        return save(), 200
    except ValidationFailed as exc:
        for message in apply_errors(form, exc.errors) or ([] if exc.errors else [str(exc)]):
            flash(message, "danger")
        return None, 400
    except Conflict as exc:  # the form keeps the user's edits to apply again
        flash(str(exc), "danger")
        return None, 409
