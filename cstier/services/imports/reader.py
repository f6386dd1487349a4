"""Read an uploaded CSV or XLSX file as text chunks whose index is the data row number."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from cstier.domain.imports.sniff import SAMPLE_BYTES, detect_delimiter, detect_encoding

CHUNK_ROWS = 50_000
ESTIMATE_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file cannot be read as CSV or XLSX; the message says why."""


@dataclass
class Source:
    """An import file opened for reading: its format, headers and how to split it."""

    path: Path
    format: str  # csv or xlsx
    headers: list[str]
    encoding: str = "utf-8-sig"
    delimiter: str = ","

    def chunks(self, wanted: dict[str, str], rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """Yield the wanted columns (renamed header -> column) in chunks of text cells."""
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
            offset = 1
            for chunk in reader:
                chunk.columns = [self.headers[i] for i in sorted(positions)]
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                yield chunk[headers]
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"The file is not valid {self.encoding}: {exc.reason} at byte {exc.start}. "
                "Choose the encoding it was saved with."
            ) from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise UnreadableFile(f"The file could not be read as CSV: {exc}") from exc

    def _xlsx_chunks(self, headers: list[str], rows: int) -> Iterator[pd.DataFrame]:
        positions = [self.headers.index(h) for h in headers]
        book = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet_rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
            batch, numbers = [], []
            for number, values in enumerate(sheet_rows, start=1):
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


def open_source(path: Path, encoding: str | None = None) -> Source:
    """Open a CSV or XLSX file and read its header; refuse a non-UTF-8 CSV unless encoding is given."""
    path = Path(path)
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(XLSX_MAGIC):
        return _open_xlsx(path)
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
    return Source(path, "csv", [h.strip() for h in headers], chosen, delimiter)


def _open_xlsx(path: Path) -> Source:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise UnreadableFile(f"The workbook could not be opened: {exc}") from exc
    try:
        first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
    finally:
        book.close()
    headers = [_cell_text(v).strip() for v in first]
    if not any(headers):
        raise UnreadableFile("The first sheet is empty: its first row must name the columns.")
    return Source(path, "xlsx", headers)
