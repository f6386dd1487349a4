"""The weekly report's book, shared with the HTTP tests."""

from tests.weekly_book import week_book  # noqa: F401 - fixture
