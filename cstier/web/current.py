"""The signed-in actor and role guards for views."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from cstier.domain.permissions import Actor


def current_actor() -> Actor:
    """Return the signed-in user as a domain Actor."""
    return Actor(user_id=current_user.id, role=current_user.role)


def roles_required(*roles: str) -> Callable:
    """Allow the view only to signed-in users with one of these roles."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


MANAGERS = ("admin", "cs_manager")
