"""Guess a custom attribute's key and type from a file's header and first cells."""

import re

import pandas as pd

from cstier.domain.imports import cells
from cstier.domain.imports.formats import CellFormats

MAX_CHOICES = 12  # more distinct values than this reads as free text


def attribute_key(header: str) -> str:
    """Return a valid attribute key from a header: "Health Score (0-10)" -> "health_score_0_10"."""
    key = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")[:60]
    if not key or not key[0].isalpha():
        key = ("attr_" + key)[:60].rstrip("_")
    return key


def guess_type(sample: pd.Series, formats: CellFormats) -> tuple[str, list[str]]:
    """Return the attribute type the filled cells read as, and the choices when it is a choice."""
    filled = sample[sample != ""].astype(str).reset_index(drop=True)
    if filled.empty:
        return "text", []
    for data_type, parse in (
        ("boolean", cells.parse_bool),
        ("number", lambda t: cells.parse_float(t, formats)),
        ("date", lambda t: cells.parse_date(t, formats)),
    ):
        if parse(filled)[1].isna().all():
            return data_type, []
    distinct = list(dict.fromkeys(filled))
    if len(distinct) <= MAX_CHOICES and len(distinct) * 2 <= len(filled):
        return "choice", sorted(distinct)
    return "text", []
