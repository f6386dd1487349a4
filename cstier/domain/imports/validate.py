"""Validate a chunk of an import file column by column and return its typed values."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cstier.domain.customer import required_link
from cstier.domain.imports import cells
from cstier.domain.imports.columns import ColumnSpec, KindSpec
from cstier.domain.imports.escape import unescape_text
from cstier.domain.imports.formats import PLAIN, CellFormats
from cstier.domain.imports.headers import ATTRIBUTE_PREFIX
from cstier.domain.imports.report import ErrorList

PARSERS = {
    "int": cells.parse_int,
    "float": cells.parse_float,
    "money": cells.parse_money,
    "date": cells.parse_date,
    "bool": cells.parse_bool,
}
WRITTEN = ("float", "money", "date")  # parsers that read the file's own date and number formats
SEPARATOR = "\x00"
# Padding is a cell starting or ending with a space; other whitespace is rare anywhere in a file,
# so a one-character scan (memchr speed) rules it out before the slower two-character ones.
RARE_SPACES = ("\t", "\r", "\n", "\xa0")
PADDING = (SEPARATOR + " ", " " + SEPARATOR)
ATTRIBUTE_PARSERS = {"number": "float", "boolean": "bool", "date": "date"}
NUL = "\x00"
NUL_REASON = "contains a NUL character; remove it (no database stores one)"


@dataclass(frozen=True)
class AttributeType:
    """The definition of a custom attribute, as the validator needs it."""

    data_type: str
    choices: tuple[str, ...] = ()


def clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the cells as stripped text, blanks as '', with export quotes undone."""
    out = {}
    for name in frame.columns:
        cells = frame[name].to_numpy(object)
        # One C-speed scan of the joined cells spares the per-cell string methods when no
        # cell has padding or an export quote, which is nearly always.
        try:
            joined = SEPARATOR + SEPARATOR.join(cells) + SEPARATOR  # str cells: no str() calls
        except TypeError:  # missing cells (an XLSX reader gives them) or numbers
            cells = np.array(["" if pd.isna(v) else str(v) for v in cells], dtype=object)
            joined = SEPARATOR + SEPARATOR.join(cells) + SEPARATOR
        column = pd.Series(cells, index=frame.index, dtype=object)
        if any(c in joined for c in RARE_SPACES) or any(p in joined for p in PADDING):
            column = column.astype(str).str.strip()
        if SEPARATOR + "'" in joined:
            column = unescape_text(column.astype(str))
        out[name] = column
    return pd.DataFrame(out, index=frame.index)


def filled_rows(text: pd.DataFrame) -> pd.Series:
    """Return which rows have at least one non-blank cell."""
    filled = np.zeros(len(text), dtype=bool)
    for name in text.columns:
        filled |= text[name].to_numpy() != ""
    return pd.Series(filled, index=text.index)


def _parse(parser: str, text: pd.Series, formats: CellFormats) -> tuple[pd.Series, pd.Series]:
    if parser in WRITTEN:
        return PARSERS[parser](text, formats)
    return PARSERS[parser](text)


def parse_column(
    spec: ColumnSpec, text: pd.Series, formats: CellFormats = PLAIN
) -> tuple[pd.Series, pd.Series]:
    """Parse one column by its type and check bounds and length."""
    if spec.type in PARSERS:
        values, reasons = _parse(spec.type, text, formats)
    elif spec.type == "enum":
        values, reasons = cells.parse_enum(text, spec.choices)
    else:
        values, reasons = cells.parse_text(text, spec.type)
    if spec.max_length is not None and max(map(len, text.to_numpy()), default=0) > spec.max_length:
        reasons[reasons.isna() & (text.str.len() > spec.max_length)] = (
            f"longer than {spec.max_length} characters"
        )
    if spec.minimum is not None:
        reasons[reasons.isna() & (values < spec.minimum).fillna(False).astype(bool)] = (
            f"must be at least {spec.minimum:g}"
        )
    if spec.maximum is not None:
        reasons[reasons.isna() & (values > spec.maximum).fillna(False).astype(bool)] = (
            f"must be at most {spec.maximum:g}"
        )
    if spec.required:
        blank = text.to_numpy(object) == ""
        if blank.any():
            reasons[blank] = "required"
    return values, reasons


def refuse_nul(
    text: pd.Series, values: pd.Series, reasons: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Refuse every cell holding a NUL character and blank its value, so no query carries it."""
    if NUL not in "".join(text.to_numpy(object)):  # one C-speed scan for the usual clean column
        return values, reasons
    nul = text.str.contains(NUL, regex=False)
    return values.where(~nul, None), reasons.mask(nul, NUL_REASON)


def parse_attribute(
    name: str, attribute: AttributeType | None, text: pd.Series, formats: CellFormats = PLAIN
) -> tuple[pd.Series, pd.Series]:
    """Parse an attr.<key> column by the attribute's type; an unknown key is an error."""
    if attribute is None:
        reasons = pd.Series("no custom attribute with this key", index=text.index, dtype="object")
        return text, reasons.where(text != "")
    if attribute.data_type == "choice":
        return cells.parse_enum(text, attribute.choices)
    parser = ATTRIBUTE_PARSERS.get(attribute.data_type)
    if parser is None:
        return cells.parse_text(text)
    return _parse(parser, text, formats)


def validate_chunk(
    kind: KindSpec,
    text: pd.DataFrame,
    attributes: dict[str, AttributeType] | None = None,
    formats: CellFormats = PLAIN,
) -> tuple[pd.DataFrame, ErrorList]:
    """Check every cell of a chunk (index = row numbers); return typed columns and the errors."""
    errors = ErrorList()
    typed = {}
    text = text.assign(**{c: "" for c in kind.names if c not in text})
    for spec in kind.columns:
        column = text[spec.name]
        values, reasons = refuse_nul(column, *parse_column(spec, column, formats))
        errors.add_column(spec.name, column, reasons)
        typed[spec.name] = values
    for name in text.columns:
        if kind.allows_attributes and name.startswith(ATTRIBUTE_PREFIX):
            key = name[len(ATTRIBUTE_PREFIX) :]
            parsed = parse_attribute(name, (attributes or {}).get(key), text[name], formats)
            values, reasons = refuse_nul(text[name], *parsed)
            errors.add_column(name, text[name], reasons)
            typed[name] = values
    frame = pd.DataFrame(typed, index=text.index)
    for earlier, later in kind.checks:
        before = (frame[later] < frame[earlier]).fillna(False).astype(bool)
        errors.add_column(
            later,
            text[later].where(before),
            pd.Series(f"before {earlier}", index=text.index).where(before),
        )
    if kind.name == "accounts":
        _check_unit_links(frame, text, errors)
    return frame, errors


def _check_unit_links(frame: pd.DataFrame, text: pd.DataFrame, errors: ErrorList) -> None:
    """An account whose unit is a department or a decision maker must name it."""
    for unit in ("department", "decision_maker"):
        link = f"{required_link(unit)}_external_id"
        missing = (frame["unit_type"] == unit) & frame[link].isna()
        reasons = pd.Series(f"required when unit_type is {unit}", index=frame.index)
        errors.add_column(link, pd.Series("", index=frame.index), reasons.where(missing))
