"""Entry points parse, call one service and render: they hold no transaction, query or clock."""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cstier"
ENTRY_POINTS = ("web", "api", "cli")


def sources(*packages: str) -> list[Path]:
    """Return the Python files of the named entry-point packages."""
    return sorted(p for name in packages for p in (PACKAGE / name).rglob("*.py"))


def offending_lines(pattern: str, *packages: str) -> list[str]:
    """Return file:line: text for every line of the packages that matches the pattern."""
    found = []
    for path in sources(*packages):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    return found


def test_the_entry_points_are_read():
    assert len(sources(*ENTRY_POINTS)) > 20


@pytest.mark.parametrize("call", [r"\.commit\(", r"\.rollback\("], ids=["commit", "rollback"])
def test_entry_points_never_commit_or_roll_back(call):
    assert offending_lines(call, *ENTRY_POINTS) == []


@pytest.mark.parametrize(
    "query",
    [r"\bselect\(", r"\.session\.get\(", r"\.session\.scalars?\(", r"\.query\("],
    ids=["select", "session.get", "session.scalar", "query"],
)
def test_entry_points_query_only_through_services(query):
    assert offending_lines(query, *ENTRY_POINTS) == []


def test_entry_points_take_no_clock_from_the_models():
    assert offending_lines(r"cstier\.models\.base import .*\butcnow\b", *ENTRY_POINTS) == []


def test_entry_points_reach_the_store_only_through_services():
    assert offending_lines(r"\bcstier\.store\b", *ENTRY_POINTS) == []
