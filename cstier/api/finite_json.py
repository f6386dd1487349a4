"""Write only standard JSON: a NaN or infinity in stored data becomes null, never a bare token."""

import logging
from typing import Any

from flask.json.provider import DefaultJSONProvider

from cstier.domain.numbers import without_non_finite

log = logging.getLogger(__name__)


class FiniteJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing to write NaN or Infinity (which JSON has no word for)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise obj; non-finite numbers are written as null and logged."""
        try:
            return super().dumps(obj, allow_nan=False, **kwargs)
        except ValueError:
            log.warning("a response held NaN or infinity; written as null")
            return super().dumps(without_non_finite(obj), **kwargs)
