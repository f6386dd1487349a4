"""Read a chunk of rows column by column: one aggregate joins each column into one text.

All aggregates of a query see the rows in the same order, so the columns line up; what can't
be split exactly is read as CSV lines instead (store/column_reads.py).
"""

from __future__ import annotations

import csv
import json
import re
from io import StringIO
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import Text, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from cstier.store.sqlite_csv import NULL, PLAIN_ARRAY, json_extract_fields

if TYPE_CHECKING:
    from cstier.store.json_fields import JsonFields

UNIT = "\x1f"
NEVER = "\x1e"
MISSING = "\x1d"
# The kinds of JSON field SQLite reads together as one array of numbers and strings.
MIXED_KINDS = ("number", "text")
# How SQLite returns a bare JSON boolean or integer found where text is expected.
JSON_BOOLEANS = {"true": "1", "false": "0"}
INTEGER = re.compile(r"-?[0-9]+")


def column_aggregates(column: ColumnElement, kind: str, postgres: bool) -> list[ColumnElement]:
    """Return the aggregates that read one column of a chunk, for `split_column`.

    Ids are joined by commas; any other value ends with UNIT. A NULL number is `\\N`, a
    NULL text MISSING alone, with a count of non-NULL values that tells it from a text
    holding that character; pandas splits fields on NEVER, which no value may hold.
    Numbers are written exactly: SQLite's reals through quote() (CAST keeps 15 digits),
    PostgreSQL's as their text (the shortest that reads back equal).
    """
    if postgres:
        value = cast(column, Text)
    elif kind == "number":
        value = case({"real": func.quote(column)}, value=func.typeof(column), else_=column)
    else:
        value = column
    if kind == "int":
        return [_joined(func.coalesce(value, NULL), ",", postgres)]
    if kind == "number":
        return [_joined(func.coalesce(value, NULL), UNIT, postgres)]
    return [_joined(func.coalesce(value, MISSING), UNIT, postgres), func.count(column)]


def _joined(value: ColumnElement, separator: str, postgres: bool) -> ColumnElement:
    if postgres:
        return func.string_agg(value, separator)
    return func.group_concat(value, separator)


def split_column(
    text: str | None, kind: str, rows: int, present: int | None = None
) -> pd.Series | None:
    """Split one column's joined values into a typed Series, or None if they don't split exactly.

    Ids are int64, numbers float64, text categorical, other kinds strings.
    """
    # Text is read as strings and made categorical after: read straight as categories,
    # pandas would guess their type and turn a plan "01" into the number 1.
    dtype = {"int": np.int64, "number": np.float64}.get(kind, object)
    if not rows:
        return _typed(pd.Series([], dtype=dtype), kind)
    if text is None:
        return None
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
    return _typed(column, kind) if len(column) == rows else None


def take_column(texts: list, kind: str, rows: int) -> pd.Series | None:
    """Consume one column's texts in the order `column_aggregates` made them, and split them.

    Returns None if they don't split exactly, as `split_column` does.
    """
    text = texts.pop(0)
    present = None if kind in ("int", "number") else texts.pop(0)
    return split_column(text, kind, rows, present)


def _typed(column: pd.Series, kind: str) -> pd.Series:
    return as_categories(column) if kind == "text" else column


def as_categories(column: pd.Series) -> pd.Series:
    """Return text values as categories of strings, even where all are missing.

    Chunks are concatenated category by category, which needs their categories typed alike.
    """
    return column.astype("str").astype("category")


class JsonColumns:
    """Read JSON fields column by column.

    On SQLite one json_extract with the paths of every number and text field returns a
    row's values as an array (`[3,null,12.5,"high"]`), and a chunk of them joined by
    newlines is CSV once the brackets go, provided it holds no escape, nested value, empty
    or "null" string; booleans get an array of their own, dates one json_extract each.
    Each json_extract in a row costs nearly a parse of the document, so numbers and text
    share one. A single field is read with its path twice, since one path returns the
    value, not an array.
    PostgreSQL reads each field with ->> from the stored jsonb, which parses nothing.
    """

    def __init__(self, json_fields: JsonFields, kinds: dict[str, str], postgres: bool):
        self.json_fields = json_fields
        self.kinds = kinds
        self.postgres = postgres
        names = list(json_fields.keys)
        if postgres:
            self.singles, self.groups = names, []
            return
        mixed = [n for n in names if kinds[n] in MIXED_KINDS]
        booleans = [n for n in names if kinds[n] == "boolean"]
        self.groups = [
            group if len(group) > 1 else group * 2 for group in (mixed, booleans) if group
        ]
        self.singles = [n for n in names if n not in mixed and n not in booleans]

    def aggregates(self) -> list[ColumnElement]:
        """Return the aggregates: one per group (its arrays), then those of each single field."""
        document = self.json_fields.document
        out = []
        for group in self.groups:
            array = json_extract_fields(document, self.json_fields, group)
            empty = "[" + ",".join(["null"] * len(group)) + "]"
            out.append(func.group_concat(func.coalesce(array, empty), "\n"))
        for name in self.singles:
            if self.postgres:
                value = self.json_fields.value(name)
                out += column_aggregates(value, self._single_kind(name), True)
            else:
                out += column_aggregates(
                    json_extract_fields(document, self.json_fields, [name]), "text", False
                )
        return out

    def _single_kind(self, name: str) -> str:
        return "number" if self.kinds[name] == "number" else "text"

    def split(self, texts: list, rows: int) -> dict[str, pd.Series] | None:
        """Return the fields from the aggregates' texts (consumed in order), or None."""
        fields: dict[str, pd.Series] = {}
        for group in self.groups:
            kinds = [self.kinds[name] for name in group]
            split = _split_arrays(texts.pop(0), kinds, rows)
            if split is None:
                return None
            fields.update(dict(zip(group, split, strict=True)))  # a doubled field: same values
        for name in self.singles:
            kind = self._single_kind(name) if self.postgres else "text"
            values = take_column(texts, kind, rows)
            if values is None:
                return None
            fields[name] = (
                values if self.kinds[name] in ("text", "number") else values.astype(object)
            )
        return fields


def _split_arrays(text: str | None, kinds: list[str], rows: int) -> list[pd.Series] | None:
    """Split a chunk's arrays into one Series per position, or None if they don't split exactly.

    The values are read as JSON tokens: CSV without quoting, so a string keeps its quotes.
    A group without text must hold plain tokens only (PLAIN_ARRAY). A text field's distinct
    tokens are decoded once each, as a single-path json_extract would give them: a quoted
    string by json.loads (escapes and all: json.dumps writes "Zürich" as "Z\\u00fcrich"),
    a bare integer as its digits, true and false as 1 and 0. A comma inside a string (the
    line splits into too many fields), a nested value or a bare real in a text field (SQLite
    writes reals its own way) return None.
    """
    dtypes = [np.float64 if kind == "number" else object for kind in kinds]
    if not rows:
        return [_typed(pd.Series([], dtype=d), k) for d, k in zip(dtypes, kinds, strict=True)]
    if text is None or text.count("[") != rows or text.count("]") != rows:
        return None
    body = text.replace("[", "").replace("]", "")
    if "{" in body:
        return None  # a nested object: only lines read those
    if "text" not in kinds and body.lstrip(PLAIN_ARRAY[kinds[0]] + "\n"):
        return None  # a string, nested value or escape: only lines read those
    frame = pd.read_csv(
        StringIO(body),
        header=None,
        names=list(range(len(kinds))),
        na_values=["null"],
        keep_default_na=False,
        dtype=dict(enumerate(dtypes)),
        quoting=csv.QUOTE_NONE,
        engine="c",
    )  # too many fields on a line raises ParserError: the caller reads lines instead
    if len(frame) != rows:
        return None
    columns = []
    for i, kind in enumerate(kinds):
        column = frame[i]
        if kind == "text":
            tokens = as_categories(column)
            decoded = {token: _json_text(token) for token in tokens.cat.categories}
            if None in decoded.values():
                return None
            column = as_categories(tokens.map(decoded).astype(object))
        columns.append(column)
    return columns


def _json_text(token: str) -> str | None:
    """Return a JSON token as json_extract returns it for one path, as text; None if unsure."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        try:
            value = json.loads(token)
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    if token in JSON_BOOLEANS:
        return JSON_BOOLEANS[token]
    if INTEGER.fullmatch(token) and -(2**63) <= int(token) < 2**63:
        return str(int(token))  # "-0" is the integer 0 to SQLite
    return None
