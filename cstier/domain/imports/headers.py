"""Map the headers of an uploaded file to the columns of a kind."""

import re
from dataclasses import dataclass, field

from cstier.domain.imports.columns import KindSpec

ATTRIBUTE_PREFIX = "attr."
IGNORE = ""


@dataclass
class HeaderMapping:
    """Which file header feeds which column, and what is left over."""

    columns: dict[str, str]  # file header -> column name
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required columns nobody feeds
    clashes: list[str] = field(default_factory=list)  # columns fed by two headers


def normalise(header: str) -> str:
    """Return a header in column-name form: lower case, underscores, no BOM or padding."""
    text = header.replace("\ufeff", "").strip().lower()
    if text.startswith(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_PREFIX + re.sub(r"[^a-z0-9_]+", "_", text[len(ATTRIBUTE_PREFIX) :])
    return re.sub(r"[^a-z0-9.]+", "_", text).strip("_")


def suggest(kind: KindSpec, headers: list[str]) -> dict[str, str]:
    """Return a best-guess mapping from each file header to a column name (or '' to ignore)."""
    known = set(kind.names)
    guesses = {}
    for header in headers:
        name = normalise(header)
        if name in known or (kind.allows_attributes and name.startswith(ATTRIBUTE_PREFIX)):
            guesses[header] = name
        else:
            guesses[header] = IGNORE
    return guesses


def resolve(kind: KindSpec, headers: list[str], chosen: dict[str, str] | None) -> HeaderMapping:
    """Combine the suggestion with the user's choices and check the result."""
    mapping = suggest(kind, headers)
    for header, target in (chosen or {}).items():
        if header in mapping:
            mapping[header] = normalise(target) if target else IGNORE
    columns: dict[str, str] = {}
    result = HeaderMapping(columns=columns)
    fed: dict[str, str] = {}
    for header, target in mapping.items():
        valid = target in kind.names or (
            kind.allows_attributes and target.startswith(ATTRIBUTE_PREFIX) and len(target) > 5
        )
        if not target or not valid:
            result.ignored.append(header)
        elif target in fed:
            result.clashes.append(target)
        else:
            fed[target] = header
            columns[header] = target
    result.missing = [c.name for c in kind.columns if c.required and c.name not in fed]
    return result
