"""Import and export rules: column specs, header mapping, sniffing, vectorised validation."""

from cstier.domain.imports.columns import ColumnSpec, KindSpec
from cstier.domain.imports.escape import escape_cell, escape_frame
from cstier.domain.imports.kinds import KINDS
from cstier.domain.imports.report import ErrorList, RowError
from cstier.domain.imports.validate import AttributeType, clean_text, validate_chunk

__all__ = [
    "KINDS",
    "AttributeType",
    "ColumnSpec",
    "ErrorList",
    "KindSpec",
    "RowError",
    "clean_text",
    "escape_cell",
    "escape_frame",
    "validate_chunk",
]
