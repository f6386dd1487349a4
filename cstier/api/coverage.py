"""Coverage models, CSMs (profiles and load), pools and assignments (managers write)."""

import hashlib
import json
from typing import Any

from cstier.api.base import api_blueprint

blp = api_blueprint("coverage", "/coverage", "Coverage models, CSMs, pools and assignments.")


def content_token(values: Any) -> str:
    """Return a version token for rows without a version column: a hash of what they hold."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# The coverage resources register their routes on this blueprint.
from cstier.api import (  # noqa: E402, F401
    coverage_assignments,
    coverage_csms,
    coverage_models,
    coverage_pools,
)
