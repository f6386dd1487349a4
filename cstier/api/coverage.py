"""Coverage models, CSMs (profiles and load), pools and assignments (managers write)."""

import marshmallow as ma
from marshmallow import validate

from cstier.api.base import api_blueprint
from cstier.api.fields import MAX_INT

blp = api_blueprint("coverage", "/coverage", "Coverage models, CSMs, pools and assignments.")


def version_field(minimum: int = 1) -> ma.fields.Integer:
    """Return the `version` field: read with the resource, sent back instead of If-Match."""
    return ma.fields.Integer(
        strict=True,
        validate=validate.Range(min=minimum, max=MAX_INT),
        metadata={
            "description": "The version you read (also the ETag); a stale one is refused with 409."
        },
    )


# The coverage resources register their routes on this blueprint.
from cstier.api import (  # noqa: E402, F401
    coverage_assignments,
    coverage_csms,
    coverage_models,
    coverage_pools,
)
