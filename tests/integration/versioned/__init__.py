"""Versioned resources raced by tests/integration/test_concurrent_edits.py.

Each module here exposes `CASES`, a list of `VersionedCase`: how to make one row of the
resource and how to save an edit of it through its service at a version read earlier.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VersionedCase:
    """One editable resource: make a row, read its version, save an edit at a version."""

    name: str
    # Build the row (and whatever it needs) and commit; return its id.
    create: Callable[[Session], int]
    # Return the stored version of the row.
    read_version: Callable[[Session, int], int]
    # Save one edit through the resource's service at `expected_version`; `label` makes the
    # two writers' edits differ. Must commit, or raise the service's Conflict.
    edit: Callable[[Session, int, int, str], None]


def all_cases() -> list[VersionedCase]:
    """Collect CASES from every module of this package."""
    import importlib
    import pkgutil

    cases: list[VersionedCase] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        cases.extend(importlib.import_module(f"{__name__}.{module.name}").CASES)
    return cases
