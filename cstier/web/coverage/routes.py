"""Coverage, capacity, assignment and handoff pages."""

from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
