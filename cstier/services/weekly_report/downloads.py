"""Download a weekly report: a zip of one CSV per section, or an XLSX with one sheet per section."""

import io
import zipfile
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from sqlalchemy.orm import Session

from cstier.domain.imports import escape_frame
from cstier.domain.permissions import Actor
from cstier.domain.reports.weekly_content import SECTIONS, section_tables
from cstier.services.errors import ValidationFailed
from cstier.services.exports import render
from cstier.services.weekly_report.reads import get_weekly_report

FORMATS = {
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Download:
    """A file to send: its name, type and bytes."""

    filename: str
    mimetype: str
    data: bytes


def download(session: Session, actor: Actor, week: str, fmt: str) -> Download:
    """Return the stored report of a week as a CSV zip or an XLSX workbook."""
    if fmt not in FORMATS:
        message = f"Unknown format {fmt!r}; choose csv or xlsx."
        raise ValidationFailed(message, {"format": [message]})
    report = get_weekly_report(session, actor, week)
    frames = section_tables(report.content)
    stem = f"weekly-report-{report.week}"
    data = _xlsx(frames) if fmt == "xlsx" else _csv_zip(frames, stem)
    return Download(f"{stem}.{'xlsx' if fmt == 'xlsx' else 'zip'}", FORMATS[fmt], data)


def _csv_zip(frames: dict[str, pd.DataFrame], stem: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SECTIONS:
            archive.writestr(f"{stem}-{name}.csv", render(frames[name], "csv"))
    return buffer.getvalue()


def _xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    book = Workbook(write_only=True)
    for name in SECTIONS:
        frame = frames[name]
        sheet = book.create_sheet(name[:31])  # Excel's limit on a sheet name
        safe = escape_frame(frame.astype(object).where(frame.notna(), None))
        sheet.append(list(safe.columns))
        for row in safe.itertuples(index=False, name=None):
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
