"""Write XLSX files cell by cell, so tests can make workbooks openpyxl would not: bombs, lying sizes."""

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SHEET_PART = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _row_xml(cells: list[str]) -> str:
    # Without the optional r= references, repeated rows compress like a zip bomb's.
    inner = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in cells)
    return f"<row>{inner}</row>"


def write_workbook(path: Path, header: list[str], rows, dimension: str | None = "auto") -> Path:
    """Write a one-sheet workbook of text cells; dimension "auto" declares its true size, None none."""
    rows = list(rows)
    if dimension == "auto":
        width = max([len(header), *(len(r) for r in rows)])
        dimension = f"A1:{get_column_letter(width)}{len(rows) + 1}"
    body = [SHEET_HEAD]
    if dimension:
        body.append(f'<dimension ref="{dimension}"/>')
    body.append("<sheetData>")
    body.append(_row_xml(header))
    body.extend(_row_xml(cells) for cells in rows)
    body.append("</sheetData></worksheet>")
    _save_with_sheet(path, "".join(body))
    return path


def _save_with_sheet(path: Path, sheet_xml: str) -> None:
    """Take the workbook's other parts from openpyxl and put this sheet in it."""
    template = io.BytesIO()
    Workbook().save(template)
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for part in source.infolist():
            if part.filename == SHEET_PART:
                out.writestr(SHEET_PART, sheet_xml)
            else:
                out.writestr(part, source.read(part.filename))
