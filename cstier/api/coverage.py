"""Coverage models, CSMs (profiles and load) and assignments (managers write)."""

from cstier.api.base import api_blueprint

blp = api_blueprint("coverage", "/coverage", "Coverage models, CSMs and assignments.")
