"""How a chunk of rows travels as text: one aggregate per column, or else as CSV lines.

Each chunk query joins every column into one text (`group_concat` on SQLite, `string_agg`
on PostgreSQL); all aggregates of a query see the rows in the same order, so the columns
line up. A chunk whose values can't be split exactly is read as CSV lines instead: COPY on
PostgreSQL, fields concatenated in SQL on SQLite. Types: `int` columns (ids) are int64,
`number` float64, `text` categorical (of strings); any other kind (boolean, date) comes
back as strings for the caller to convert. store/column_reads.py reads the chunks.
"""

import csv
import json
import re
from dataclasses import dataclass
from io import BytesIO, StringIO

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Select, String, Text, case, cast, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

NULL = "\\N"
UNIT = "\x1f"
NEVER = "\x1e"
MISSING = "\x1d"
# The kinds of JSON field SQLite reads together as one array of numbers and strings.
MIXED_KINDS = ("number", "text")
# How SQLite returns a bare JSON boolean or integer found where text is expected.
JSON_BOOLEANS = {"true": "1", "false": "0"}
INTEGER = re.compile(r"-?[0-9]+")
# The characters a row's array may hold to go into the line as it stands: numbers and null,
# and for booleans true and false. Anything else sends the row field by field: a quote opens
# a string, a bracket or brace a nested value, t or f in a number field is a boolean (SQLite
# reads 1 or 0). Booleans take no minus sign: "-0" would be missing, SQLite's 0 is false.
PLAIN_ARRAY = {"number": "0123456789.,-+eEnul", "boolean": "0123456789,truefalsn"}


@dataclass(frozen=True)
class JsonFields:
    """Fields read by key from one JSON column (custom attributes), after a select's columns."""

    document: ColumnElement
    keys: dict[str, str]  # field name -> key in the document

    def value(self, name: str, document: ColumnElement | None = None) -> ColumnElement:
        """Return the field's value as text (NULL where the key is missing or null)."""
        return (self.document if document is None else document)[self.keys[name]].as_string()


def field_names(columns: list[str], json_fields: JsonFields | None) -> list[str]:
    """Return the fields a read returns, in order: the select's columns, then any JSON fields."""
    return [*columns, *(json_fields.keys if json_fields else ())]


class ColumnWise:
    """Read a chunk with one aggregate per column; split returns None if values don't split."""

    def __init__(self, columns: list[str], kinds: dict[str, str], json_fields, postgres: bool):
        self.columns = columns
        self.kinds = kinds
        self.postgres = postgres
        self.attributes = JsonColumns(json_fields, kinds, postgres) if json_fields else None

    def query(self, chunk: Select) -> Select:
        """Return the chunk's query: a count, then each column's aggregates, then the JSON ones."""
        aggregates = [func.count()]
        for name, column in zip(self.columns, chunk.selected_columns, strict=True):
            aggregates += column_aggregates(column, self.kinds.get(name, "text"), self.postgres)
        if self.attributes:
            aggregates += self.attributes.aggregates()
        return chunk.with_only_columns(*aggregates)

    def split(self, row: tuple) -> pd.DataFrame | None:
        """Return the chunk's rows from its query's one row, or None."""
        counted, *texts = row
        frame = {}
        try:
            for name in self.columns:
                frame[name] = take_column(texts, self.kinds.get(name, "text"), counted)
                if frame[name] is None:
                    return None
            if self.attributes:
                fields = self.attributes.split(texts, counted)
                if fields is None:
                    return None
                frame.update(fields)
        except (ValueError, TypeError, pd.errors.ParserError):
            return None
        return pd.DataFrame(frame)


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


def read_lines(
    connection: Connection,
    chunk: Select,
    columns: list[str],
    kinds: dict[str, str],
    json_fields: JsonFields | None,
) -> pd.DataFrame:
    """Read a chunk as CSV lines: COPY on PostgreSQL, concatenated fields on SQLite."""
    if connection.dialect.name == "postgresql":
        if json_fields:
            chunk = chunk.add_columns(*(json_fields.value(name) for name in json_fields.keys))
        names = field_names(columns, json_fields)
        data = _copy_out(connection, chunk)
        return _parse(BytesIO(data), names, kinds) if data else _empty(names, kinds)
    lines = chunk_lines(chunk, columns, kinds, json_fields)
    text = connection.execute(lines.query).scalar()
    if not text:
        return _empty(lines.names, kinds)
    return _parse(StringIO(text), lines.names, kinds, lines.null_tokens)


def _copy_out(connection: Connection, stmt: Select) -> bytes:
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, NULL '{NULL}')"
    data = bytearray()
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(sql, compiled.params) as copy:
        for block in copy:
            data += block
    return bytes(data)


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


def _parse(
    source, columns: list[str], kinds: dict[str, str], null_tokens: frozenset[str] = frozenset()
) -> pd.DataFrame:
    # Fields copied from a JSON array write a missing value as JSON's `null`.
    nulls = {name: [NULL, "null"] if name in null_tokens else [NULL] for name in columns}
    options = {
        "header": None,
        "names": columns,
        "na_values": nulls,
        "keep_default_na": False,
        "engine": "c",
    }
    try:
        return _categorical(
            pd.read_csv(source, dtype=_dtypes(columns, kinds, strict=True), **options), kinds
        )
    except (ValueError, TypeError):
        # Some "number" holds text (an attribute typed by hand): read as text and coerce,
        # so the odd value becomes missing instead of failing the run.
        source.seek(0)
        frame = pd.read_csv(source, dtype=_dtypes(columns, kinds, strict=False), **options)
        for name in columns:
            if kinds.get(name) == "number":
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
        return _categorical(frame, kinds)


def _categorical(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Turn text columns, read as strings, into categories (few values, each repeated across the book).

    Read straight as categories, pandas would guess their type: plans "01" and "2.0" would
    become the numbers 1 and 2, and chunks of such values would not concatenate with others.
    """
    for name in frame.columns:
        if kinds.get(name, "text") == "text":
            frame[name] = as_categories(frame[name])
    return frame


def _dtypes(columns: list[str], kinds: dict[str, str], strict: bool) -> dict[str, object]:
    chosen: dict[str, object] = {}
    for name in columns:
        kind = kinds.get(name, "text")
        if kind == "int":
            chosen[name] = np.int64
        elif kind == "number":
            chosen[name] = np.float64 if strict else object
        else:
            chosen[name] = object  # text becomes categorical once read (_categorical)
    return chosen


def concat_chunks(
    parts: list[pd.DataFrame], columns: list[str], kinds: dict[str, str]
) -> pd.DataFrame:
    if not parts:
        return _empty(columns, kinds)
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    frame = pd.concat(parts, ignore_index=True)
    for name in columns:
        if kinds.get(name, "text") == "text":
            # Chunks found different values; merge their categories instead of falling to object.
            frame[name] = union_categoricals([p[name] for p in parts])
    return frame


def _empty(columns: list[str], kinds: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: pd.Series([], dtype=dtype) for name, dtype in _dtypes(columns, kinds, True).items()}
    )
    return _categorical(frame, kinds)
