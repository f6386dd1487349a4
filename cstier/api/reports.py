"""Reports (the weekly tier review) and tier-change alerts."""

from cstier.api.base import api_blueprint

blp = api_blueprint("reports", "/reports", "The weekly tier review and tier-change alerts.")
