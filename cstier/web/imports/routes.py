"""Import and export pages."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")
