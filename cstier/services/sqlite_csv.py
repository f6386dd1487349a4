"""The SQLite query that writes a chunk of rows as CSV text, for services/columns.py to parse.

Each row becomes one line, its fields concatenated in SQL; the lines are group_concat-ed.
Ids and numeric values are written bare, anything else quoted, NULL as `\\N`.

Fields read from a JSON column (custom attributes) cost a json_extract each. Where two or
more number fields, or two or more boolean ones, are read, one json_extract with all their
paths returns a row's values as a JSON array (`[3,null,12.5]`). A row whose array holds
nothing but numbers, null (and true/false for booleans) is already CSV once its brackets
are trimmed; `null` is then read as missing. Any other row (a string, an escape, a nested
value) takes the field-by-field expressions, which read the same values. SQLite parses a
document once per row however many json_extract calls read it, but each call and each
value's conversion costs: for a 1M-account book the arrays save about a second.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from io import StringIO
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import Select, String, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

if TYPE_CHECKING:
    from cstier.services.columns import JsonFields

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
        extra += [func.trim(_extract(document, json_fields, group), "[]") for group in groups]
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
        return _extract(document, json_fields, [name])
    return json_fields.value(name, document)


def _extract(document, json_fields: JsonFields, names: list[str]) -> ColumnElement:
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


# Column by column (services/columns.py): each value of a text or number column ends with
# the unit separator; a NULL text is the group separator alone. pandas is told to split
# fields on the record separator, which no value may hold, so each value is one field.
UNIT = "\x1f"
NEVER = "\x1e"
MISSING = "\x1d"


def column_aggregates(column: ColumnElement, kind: str) -> list[ColumnElement]:
    """Return the aggregates that read one column of a chunk, for `split_column`.

    Ids come joined by commas; numbers bare, reals through quote() (the digits it takes
    to read back equal), NULL as `\\N`; anything else verbatim, plus a count of the values
    that are not NULL, which tells a NULL from a text that looks like its marker.
    """
    if kind == "int":
        return [func.group_concat(func.ifnull(column, NULL), ",")]
    if kind == "number":
        exact = case({"real": func.quote(column)}, value=func.typeof(column), else_=column)
        return [func.group_concat(func.ifnull(exact, NULL), UNIT)]
    return [func.group_concat(func.ifnull(column, MISSING), UNIT), func.count(column)]


def split_column(
    text: str | None, kind: str, rows: int, present: int | None = None
) -> pd.Series | None:
    """Split one column's joined values into a typed Series, or None if they don't split exactly.

    Ids are int64, numbers float64, text categorical, other kinds strings. None means a
    value held a separator or a number column held text: the caller reads the chunk as
    CSV lines instead, which copes with both.
    """
    dtype = {"int": np.int64, "number": np.float64, "text": "category"}.get(kind, object)
    if not rows or text is None:
        return pd.Series([], dtype=dtype) if not rows else None
    options = {"header": None, "names": ["v"], "keep_default_na": False, "engine": "c"}
    if kind == "int":
        values = pd.read_csv(
            StringIO(text), lineterminator=",", na_values=[NULL], dtype=dtype, **options
        )
    else:
        if NEVER in text:
            return None
        if kind != "number" and text.count(MISSING) != rows - (present or 0):
            return None  # a text holds the NULL marker: only lines tell them apart
        values = pd.read_csv(
            StringIO(text + UNIT),
            lineterminator=UNIT,
            sep=NEVER,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            na_values=[NULL if kind == "number" else MISSING],
            dtype=dtype,
            **options,
        )
    column = values["v"]
    return column if len(column) == rows else None


class JsonColumns:
    """Read JSON fields column by column: numbers and booleans as one array per row, others alone.

    One json_extract with every number (or boolean) path returns a row's values as an
    array (`[3,null,12.5]`), and a chunk of them joined by newlines is CSV once the
    brackets go, provided it holds no string, nested value or escape; text and dates are
    read one json_extract each, as their SQL value. A single number field is read with its
    path twice, since one path returns the value rather than an array.
    """

    def __init__(self, json_fields: JsonFields, kinds: dict[str, str]):
        self.json_fields = json_fields
        self.kinds = kinds
        singles, groups = _arrays(json_fields, kinds)
        lone = [n for n in singles if kinds[n] in PLAIN_ARRAY]
        self.singles = [n for n in singles if n not in lone]
        self.groups = groups + [[n, n] for n in lone]

    def aggregates(self) -> list[ColumnElement]:
        """Return the aggregates: one per group (its arrays), then those of each single field."""
        document = self.json_fields.document
        out = []
        for group in self.groups:
            array = _extract(document, self.json_fields, group)
            empty = "[" + ",".join(["null"] * len(group)) + "]"
            out.append(func.group_concat(func.ifnull(array, empty), "\n"))
        for name in self.singles:
            out += column_aggregates(_extract(document, self.json_fields, [name]), "text")
        return out

    def split(self, texts: list, rows: int) -> dict[str, pd.Series] | None:
        """Return the fields from the aggregates' texts (consumed in order), or None."""
        fields: dict[str, pd.Series] = {}
        for group in self.groups:
            names = list(dict.fromkeys(group))
            split = _split_arrays(texts.pop(0), len(group), self.kinds[group[0]], rows)
            if split is None:
                return None
            fields.update({name: split[i] for i, name in enumerate(names)})
        for name in self.singles:
            text, present = texts.pop(0), texts.pop(0)
            values = split_column(text, "text", rows, present)
            if values is None:
                return None
            fields[name] = values if self.kinds[name] == "text" else values.astype(object)
        return fields


def _split_arrays(text: str | None, width: int, kind: str, rows: int) -> list[pd.Series] | None:
    if not rows:
        return [pd.Series([], dtype=np.float64 if kind == "number" else object)] * width
    if text is None or text.count("[") != rows or text.count("]") != rows:
        return None
    body = text.replace("[", "").replace("]", "")
    if body.lstrip(PLAIN_ARRAY[kind] + "\n"):
        return None  # a string, nested value or escape: only lines read those
    frame = pd.read_csv(
        StringIO(body),
        header=None,
        names=list(range(width)),
        na_values=["null"],
        keep_default_na=False,
        dtype=np.float64 if kind == "number" else object,
        engine="c",
    )
    if len(frame) != rows:
        return None
    return [frame[i] for i in range(width)]
