"""Bearer-token authentication: every API request acts as the token's user."""

from flask import g, request
from flask_smorest import abort

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.services import tokens

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cstier"'}


def authenticate_request() -> None:
    """Resolve `Authorization: Bearer <token>` to an actor, or answer 401."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        abort(
            401,
            message="Send an API token as 'Authorization: Bearer <token>'. "
            "Create one on the API tokens page or with `cstier tokens create EMAIL`.",
            headers=CHALLENGE,
        )
    user = tokens.authenticate(db.session, raw.strip())
    if user is None:
        abort(401, message="The API token is unknown or revoked.", headers=CHALLENGE)
    g.actor = Actor(user_id=user.id, role=user.role)


def current_actor() -> Actor:
    """Return the actor authenticated for this request."""
    return g.actor
