"""Read an uploaded CSV or XLSX file as text chunks whose index is the spreadsheet row number."""

import csv
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from cstier.domain.imports.sniff import SAMPLE_BYTES, detect_delimiter, detect_encoding

ESTIMATE_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
HEADER_ROWS = 1  # errors name the spreadsheet's row: the header is row 1, the first data row 2


class UnreadableFile(ValueError):
    """The file cannot be read as CSV or XLSX; the message says why."""


@dataclass(frozen=True)
class ReadLimits:
    """How big an import file may be: data rows, columns and (XLSX) unpacked bytes."""

    rows: int = 2_000_000
    columns: int = 500
    unpacked_bytes: int = 1024 << 20

    @classmethod
    def from_config(cls, config: Mapping) -> "ReadLimits":
        """Return the limits set by the IMPORT_MAX_* settings."""
        return cls(
            rows=config["IMPORT_MAX_ROWS"],
            columns=config["IMPORT_MAX_COLUMNS"],
            unpacked_bytes=config["IMPORT_MAX_UNPACKED_MB"] << 20,
        )

    def check_rows(self, rows: int) -> None:
        """Refuse a file with more data rows than the limit."""
        if rows > self.rows:
            raise UnreadableFile(
                f"The file has more than {self.rows:,} data rows. Split it into smaller files "
                "(the limit is CSTIER_IMPORT_MAX_ROWS); nothing was written."
            )

    def check_columns(self, columns: int) -> None:
        """Refuse a file with more columns than the limit."""
        if columns > self.columns:
            raise UnreadableFile(
                f"The file has {columns:,} columns, more than the {self.columns:,} allowed. "
                "Remove the columns you do not import (the limit is CSTIER_IMPORT_MAX_COLUMNS)."
            )


@dataclass
class Source:
    """An import file opened for reading: its format, headers and how to split it."""

    path: Path
    format: str  # csv or xlsx
    headers: list[str]
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    limits: ReadLimits = field(default_factory=ReadLimits)

    def chunks(self, wanted: dict[str, str], rows: int) -> Iterator[pd.DataFrame]:
        """Yield the wanted columns (renamed header -> column) in chunks of `rows` text rows."""
        reader = self._csv_chunks if self.format == "csv" else self._xlsx_chunks
        for chunk in reader(list(wanted), rows):
            yield chunk.rename(columns=wanted)

    def estimated_rows(self) -> int:
        """Guess the number of data rows from the size of the file and its first lines.

        Used only to plan a large load before all of it is read; 0 means unknown.
        """
        if self.format != "csv":
            return 0
        with self.path.open("rb") as handle:
            sample = handle.read(ESTIMATE_BYTES)
        lines = sample.count(b"\n")
        if len(sample) < ESTIMATE_BYTES:
            return lines
        return self.path.stat().st_size * lines // len(sample)

    def _csv_chunks(self, headers: list[str], rows: int) -> Iterator[pd.DataFrame]:
        positions = [self.headers.index(h) for h in headers]
        try:
            reader = pd.read_csv(
                self.path,
                sep=self.delimiter,
                encoding=self.encoding,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,  # keep row numbers equal to the records in the file
                usecols=positions,
                chunksize=rows,
                engine="c",
            )
            offset = HEADER_ROWS + 1  # rows are numbered as the spreadsheet numbers them
            for chunk in reader:
                self.limits.check_rows(offset + len(chunk) - 1 - HEADER_ROWS)
                chunk.columns = [self.headers[i] for i in sorted(positions)]
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                yield chunk[headers]
        except UnreadableFile:
            raise
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"The file is not valid {self.encoding}: {exc.reason} at byte {exc.start}. "
                "Choose the encoding it was saved with."
            ) from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise UnreadableFile(f"The file could not be read as CSV: {exc}") from exc

    def _xlsx_chunks(self, headers: list[str], rows: int) -> Iterator[pd.DataFrame]:
        positions = [self.headers.index(h) for h in headers]
        with self.path.open("rb") as handle:
            yield from self._sheet_chunks(handle, headers, positions, rows)

    def _sheet_chunks(self, handle, headers: list[str], positions: list[int], rows: int):
        book = load_workbook(handle, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # The dimension tag may lie either way: read what is there and count it.
            sheet.reset_dimensions()
            batch, numbers = [], []
            first = HEADER_ROWS + 1
            for number, values in enumerate(
                sheet.iter_rows(min_row=first, values_only=True), first
            ):
                self.limits.check_rows(number - HEADER_ROWS)
                self.limits.check_columns(len(values))
                batch.append(
                    [_cell_text(values[i] if i < len(values) else None) for i in positions]
                )
                numbers.append(number)
                if len(batch) == rows:
                    yield pd.DataFrame(batch, columns=headers, index=numbers, dtype="string")
                    batch, numbers = [], []
            if batch:
                yield pd.DataFrame(batch, columns=headers, index=numbers, dtype="string")
        finally:
            book.close()


def _cell_text(value) -> str:
    """Return an Excel cell as the text a CSV would hold (dates as ISO, whole floats plain)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_source(
    path: Path, encoding: str | None = None, limits: ReadLimits = ReadLimits()
) -> Source:
    """Open a CSV or XLSX file and read its header; refuse a non-UTF-8 CSV unless encoding is given.

    The limits are checked here where the file declares its size and again while it is read.
    """
    path = Path(path)
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(XLSX_MAGIC):
        return _open_xlsx(path, limits)
    try:
        chosen = detect_encoding(sample, encoding)
    except LookupError as exc:
        raise UnreadableFile(f"Unknown encoding {encoding!r}.") from exc
    with path.open(encoding=chosen, newline="") as handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"The header is not valid {chosen}.") from exc
    if not first.strip():
        raise UnreadableFile("The file is empty: the first line must name the columns.")
    delimiter = detect_delimiter(first)
    headers = next(csv.reader([first], delimiter=delimiter))
    limits.check_columns(len(headers))
    return Source(path, "csv", [h.strip() for h in headers], chosen, delimiter, limits)


def check_unpacked_size(path: Path, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit.

    Python's zipfile never inflates a part past the size its entry declares, so the sum of
    the declared sizes bounds what reading the workbook can unpack.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"The workbook could not be opened: {exc}") from exc
    if unpacked > limits.unpacked_bytes:
        raise UnreadableFile(
            f"The workbook unpacks to {unpacked / (1 << 20):,.1f} MB, more than the "
            f"{limits.unpacked_bytes >> 20:,} MB allowed. Split it into smaller files or save it "
            "as CSV (the limit is CSTIER_IMPORT_MAX_UNPACKED_MB)."
        )


def _open_xlsx(path: Path, limits: ReadLimits) -> Source:
    check_unpacked_size(path, limits)
    # A file object, not a name: openpyxl refuses names that do not end in .xlsx.
    with path.open("rb") as handle:
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise UnreadableFile(f"The workbook could not be opened: {exc}") from exc
        try:
            sheet = book.worksheets[0]
            if sheet.max_row is not None:  # declared by the dimension tag
                limits.check_rows(sheet.max_row - 1)
                limits.check_columns(sheet.max_column)
            sheet.reset_dimensions()
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
    limits.check_columns(len(first))
    headers = [_cell_text(v).strip() for v in first]
    if not any(headers):
        raise UnreadableFile("The first sheet is empty: its first row must name the columns.")
    return Source(path, "xlsx", headers, limits=limits)
