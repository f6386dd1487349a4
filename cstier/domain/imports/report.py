"""The findings of an import: errors naming row, column, value and reason, and the outcome counts."""

from dataclasses import asdict, dataclass, field

import pandas as pd

MAX_ERRORS = 1000  # enough to fix a file; a million identical errors help nobody


def shown(value: object) -> str:
    """Return a cell as the report shows it; a NUL is written out, as no JSON column stores it."""
    return str(value).replace("\x00", "\\x00")


@dataclass(frozen=True)
class RowError:
    """One problem in the file; row counts data rows from 1 (the header is not a row)."""

    row: int | None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column}, value {self.value!r}: {self.reason}"


@dataclass
class ErrorList:
    """Errors kept up to a cap, with the total count."""

    items: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, error: RowError) -> None:
        """Record one error."""
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)

    def add_column(self, column: str, values: pd.Series, reasons: pd.Series) -> None:
        """Record every cell of a column whose reason is set; the index holds row numbers."""
        bad = reasons.notna()
        count = int(bad.sum())
        if not count:
            return
        room = max(MAX_ERRORS - len(self.items), 0)
        for row, value, reason in zip(
            values.index[bad][:room], values[bad][:room], reasons[bad][:room], strict=True
        ):
            self.items.append(RowError(int(row), column, str(value), str(reason)))
        self.total += count

    def extend(self, other: "ErrorList") -> None:
        """Add the errors of another list."""
        for item in other.items:
            self.add(item)
        self.total += other.total - len(other.items)

    def as_json(self) -> list[dict]:
        """Return the kept errors, sorted by row, as plain dicts."""
        ordered = sorted(self.items, key=lambda e: (e.row or 0, e.column))
        return [asdict(e) | {"value": shown(e.value)} for e in ordered]

    def __bool__(self) -> bool:
        return self.total > 0
