"""The SQLite query that writes a chunk of rows as CSV text, for store/column_reads.py to parse.

Each row becomes one line of fields concatenated in SQL; several number (or boolean) JSON
fields come from one json_extract as an array, since each call costs nearly a parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Select, String, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

if TYPE_CHECKING:
    from cstier.store.json_fields import JsonFields

NULL = "\\N"

# The characters a row's array may hold to go into the line as it stands: numbers and null,
# and for booleans true and false. Anything else sends the row field by field: a quote opens
# a string, a bracket or brace a nested value, t or f in a number field is a boolean (SQLite
# reads 1 or 0). Booleans take no minus sign: "-0" would be missing, SQLite's 0 is false.
PLAIN_ARRAY = {"number": "0123456789.,-+eEnul", "boolean": "0123456789,truefalsn"}


@dataclass(frozen=True)
class ChunkLines:
    """A query returning a chunk's rows as CSV text, and how to read that text."""

    query: Select
    names: list[str]  # the fields in line order
    null_tokens: frozenset[str]  # fields copied from JSON arrays, where `null` is missing


def chunk_lines(
    chunk: Select, columns: list[str], kinds: dict[str, str], json_fields: JsonFields | None
) -> ChunkLines:
    """Return the query writing `chunk`'s rows (named `columns`, then `json_fields`) as CSV."""
    singles, groups = _arrays(json_fields, kinds)
    extra = [_single(json_fields, name, kinds[name]) for name in singles]
    if groups:
        document = json_fields.document
        extra.append(document)
        extra += [
            func.trim(json_extract_fields(document, json_fields, group), "[]") for group in groups
        ]
    rows = chunk.add_columns(*(e.label(f"field_{i}") for i, e in enumerate(extra))).subquery()
    values = iter(rows.c)
    names = [*columns, *singles]
    fields = [csv_field(next(values), kinds.get(name, "text")) for name in names]
    if groups:
        document = next(values)
        for group in groups:
            fields.append(_array_field(next(values), document, json_fields, group, kinds))
    line = fields[0]
    for field in fields[1:]:
        line = line.op("||")(",").op("||")(field)
    grouped = [name for group in groups for name in group]
    return ChunkLines(
        select(func.group_concat(line, "\n")).select_from(rows),
        [*names, *grouped],
        frozenset(grouped),
    )


def csv_field(value, kind: str) -> ColumnElement:
    """Return the CSV field of one value: ids and numbers bare, everything else quoted."""
    if kind == "int":
        return func.coalesce(cast(value, String), NULL)
    # NULL propagates through ||, so the value is computed once (a json_extract costs).
    quoted = literal('"').op("||")(func.replace(cast(value, String), '"', '""')).op("||")('"')
    quoted = func.coalesce(quoted, NULL)
    if kind == "number":
        # A number attribute may hold text typed by hand ("12,5"), so only numeric values go
        # bare. quote() writes a real with the digits it takes to read back equal; CAST keeps 15.
        numeric = {"integer": cast(value, String), "real": func.quote(value)}
        return case(numeric, value=func.typeof(value), else_=quoted)
    return quoted


def _arrays(json_fields: JsonFields | None, kinds: dict[str, str]):
    """Split the JSON fields into those read one by one and groups read as one array."""
    names = list(json_fields.keys) if json_fields else []
    by_kind: dict[str, list[str]] = {}
    for name in names:
        by_kind.setdefault(kinds[name], []).append(name)
    groups = [same for kind, same in by_kind.items() if kind in PLAIN_ARRAY and len(same) > 1]
    grouped = {name for group in groups for name in group}
    return [name for name in names if name not in grouped], groups


def _single(json_fields: JsonFields, name: str, kind: str, document=None) -> ColumnElement:
    document = json_fields.document if document is None else document
    if kind == "number":
        # As stored, not cast to text: csv_field writes numbers bare, text quoted.
        return json_extract_fields(document, json_fields, [name])
    return json_fields.value(name, document)


def json_extract_fields(document, json_fields: JsonFields, names: list[str]) -> ColumnElement:
    """Return one SQLite json_extract of the named fields of the document, as an array."""
    # The path of document[key] as SQLAlchemy binds it ('$."key"'), so both reads agree.
    paths = [document[json_fields.keys[name]].right for name in names]
    return func.json_extract(document, *paths)


def _array_field(tokens, document, json_fields: JsonFields, group: list[str], kinds):
    """Return a group's fields: the trimmed array where it is plain, else one by one."""
    kind = kinds[group[0]]
    one_by_one = [csv_field(_single(json_fields, n, kind, document), kind) for n in group]
    slow = one_by_one[0]
    for field in one_by_one[1:]:
        slow = slow.op("||")(",").op("||")(field)
    return case((func.ltrim(tokens, PLAIN_ARRAY[kind]) == "", tokens), else_=slow)
