"""Fixtures the alert pages' tests share with the alert services' tests."""

from tests.integration.conftest import split_book  # noqa: F401 - fixture
from tests.webhooks import receiver  # noqa: F401 - fixture
