"""Map the headers of an uploaded file to the columns of a kind."""

import re
from dataclasses import dataclass, field

from cstier.domain.customer import ATTRIBUTE_KEY
from cstier.domain.imports.columns import KindSpec
from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.imports.synonyms import synonym_index, synonym_keys

ATTRIBUTE_PREFIX = "attr."
IGNORE = ""


@dataclass
class HeaderMapping:
    """Which file header feeds which column, and what is left over."""

    columns: dict[str, str]  # file header -> column name
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required columns nobody feeds
    clashes: list[str] = field(default_factory=list)  # columns fed by two headers
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # column, value, reason
    filled: set[str] = field(default_factory=set)  # columns fed by constants or defaults

    @property
    def present(self) -> set[str]:
        """Return every column the import feeds, from the file or the mapping."""
        return set(self.columns.values()) | self.filled

    def file_names(self) -> dict[str, str]:
        """Return the name a report gives each column: the file's own header where it has one."""
        names = {column: f"{column} (set by the mapping)" for column in self.filled}
        return names | {column: header for header, column in self.columns.items()}


def normalise(header: str) -> str:
    """Return a header in column-name form: lower case, underscores, no BOM or padding."""
    text = header.replace("\ufeff", "").strip().lower()
    if text.startswith(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_PREFIX + re.sub(r"[^a-z0-9_]+", "_", text[len(ATTRIBUTE_PREFIX) :])
    return re.sub(r"[^a-z0-9.]+", "_", text).strip("_")


def is_target(kind: KindSpec, target: str) -> bool:
    """Return whether a kind has this column (attr.<key> columns for accounts)."""
    if kind.allows_attributes and target.startswith(ATTRIBUTE_PREFIX):
        return bool(ATTRIBUTE_KEY.match(target[len(ATTRIBUTE_PREFIX) :]))
    return target in kind.names


def suggest(
    kind: KindSpec, headers: list[str], saved: dict[str, str] | None = None
) -> dict[str, str]:
    """Return a best guess for each header: the saved choice, its own name, then a synonym."""
    guesses = {h: IGNORE for h in headers}
    taken: set[str] = set()
    for header, target in (saved or {}).items():
        if header in guesses and (target == IGNORE or is_target(kind, target)):
            guesses[header] = target
            taken.add(target)
    pending = [h for h in headers if h not in (saved or {})]
    # Exact column names first, so a synonym never takes a column the file names outright.
    for header in pending:
        name = normalise(header)
        if name not in taken and (name in kind.names or is_target(kind, name)):
            guesses[header] = name
            taken.add(name)
    index = synonym_index(kind.name, kind.names)
    for header in pending:
        if guesses[header]:
            continue
        for key in synonym_keys(header):
            column = index.get(key)
            if column and column not in taken:
                guesses[header] = column
                taken.add(column)
                break
    return guesses


def resolve(
    kind: KindSpec, headers: list[str], chosen: ImportMapping | dict[str, str] | None
) -> HeaderMapping:
    """Combine the suggestion with the user's choices and check the result."""
    if not isinstance(chosen, ImportMapping):
        chosen = ImportMapping(columns=dict(chosen or {}))
    result = HeaderMapping(columns={})
    for header, target in chosen.columns.items():
        if target and header not in headers:  # ignoring an absent column is harmless
            result.problems.append((header, target, "the mapping names a column the file lacks"))
    mapping = suggest(kind, headers)
    for header, target in chosen.columns.items():
        if header in mapping:
            mapping[header] = _target(target)
    fed: dict[str, str] = {}
    for header, target in mapping.items():
        if not target:
            result.ignored.append(header)
        elif not is_target(kind, target):
            result.problems.append((header, target, _not_a_column(kind, target)))
        elif target in fed:
            result.clashes.append(target)
        else:
            fed[target] = header
            result.columns[header] = target
    _check_filled(kind, chosen, fed, result)
    present = set(fed) | result.filled
    result.missing = [c.name for c in kind.columns if c.required and c.name not in present]
    return result


def _target(target: str) -> str:
    if not target:
        return IGNORE
    if target.strip().lower().startswith(ATTRIBUTE_PREFIX):
        return (
            ATTRIBUTE_PREFIX + target.strip()[len(ATTRIBUTE_PREFIX) :]
        )  # keys are checked as given
    return normalise(target)


def _not_a_column(kind: KindSpec, target: str) -> str:
    if target.startswith(ATTRIBUTE_PREFIX):
        if not kind.allows_attributes:
            return f"{kind.label.lower()} carry no custom attributes"
        return (
            "not a valid custom attribute key: lower-case letters, digits and underscores, "
            "starting with a letter"
        )
    return f"no column {target!r} in {kind.label.lower()}"


def _check_filled(
    kind: KindSpec, chosen: ImportMapping, fed: dict[str, str], result: HeaderMapping
) -> None:
    """Check the constants, defaults and created companies against the kind and the file."""
    for what, values in (("constant", chosen.constants), ("default", chosen.defaults)):
        for column in values:
            if not is_target(kind, column):
                result.problems.append((f"{what} {column}", column, _not_a_column(kind, column)))
            elif what == "constant" and column in fed:
                result.problems.append(
                    (fed[column], column, "set by a constant and by a column of the file")
                )
            else:
                result.filled.add(column)
    if chosen.companies_from_accounts:
        if kind.name != "accounts":
            result.problems.append(
                ("companies", "from_accounts", "only accounts files create their companies")
            )
        elif "company_external_id" in fed:
            result.problems.append(
                (
                    fed["company_external_id"],
                    "company_external_id",
                    "the file names companies: do not also create a company per account",
                )
            )
        else:
            result.filled.add("company_external_id")
