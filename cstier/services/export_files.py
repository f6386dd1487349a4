"""Write export rows as a CSV or XLSX file, a page at a time, text cells escaped against formula injection."""

import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook

from cstier.domain.imports import escape_frame

FILE_CHUNK = 64 * 1024  # bytes of a finished XLSX sent at a time


def render(frame: pd.DataFrame, fmt: str) -> bytes:
    """Return the frame as CSV (UTF-8 with BOM, for Excel) or XLSX, text cells escaped."""
    return b"".join(render_pages([frame], fmt))


def render_pages(frames: Iterable[pd.DataFrame], fmt: str) -> Iterator[bytes]:
    """Yield the frames as one CSV (UTF-8 with BOM, for Excel) or XLSX file, text cells escaped.

    CSV goes out a page at a time; an XLSX is a zip written at its end, so its rows go to a
    temporary file (openpyxl's write-only sheet) and the finished file is sent in chunks.
    """
    if fmt == "xlsx":
        yield from _xlsx_chunks(frames)
        return
    first = True
    for frame in frames:
        text = _escaped(frame).to_csv(index=False, header=first, lineterminator="\r\n")
        yield text.encode("utf-8-sig" if first else "utf-8")
        first = False


def _xlsx_chunks(frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    first = True
    for frame in frames:
        safe = _escaped(frame)
        if first:
            sheet.append(list(safe.columns))
            first = False
        for row in safe.itertuples(index=False, name=None):
            sheet.append([_excel_value(value) for value in row])
    with tempfile.TemporaryFile() as file:
        book.save(file)
        file.seek(0)
        while chunk := file.read(FILE_CHUNK):
            yield chunk


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    return escape_frame(frame.astype(object).where(frame.notna(), None))


def _excel_value(value):
    """Return a cell Excel can hold: a timezone-aware time becomes naive UTC (times are stored in UTC)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
