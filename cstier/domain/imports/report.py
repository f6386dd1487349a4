"""The findings of an import: errors naming row, column, value and reason, and the outcome counts."""

from collections import Counter
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

MAX_ERRORS = 1000  # enough to fix a file; a million identical errors help nobody
MAX_GROUPS = 20  # reasons summarised before the examples


def shown(value: object) -> str:
    """Return a cell as the report shows it; a NUL is written out, as no JSON column stores it."""
    return str(value).replace("\x00", "\\x00")


@dataclass(frozen=True)
class RowError:
    """One problem in the file; row is the spreadsheet's row number (the header is row 1)."""

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
    counts: Counter = field(default_factory=Counter)  # (column, reason) -> cells, every error
    whole_file: set[str] = field(default_factory=set)  # reasons about the file, not its cells

    def add(self, error: RowError) -> None:
        """Record one error."""
        self.total += 1
        self.counts[(error.column, error.reason)] += 1
        if error.row is None:
            self.whole_file.add(error.reason)
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)

    def add_column(self, column: str, values: pd.Series, reasons: pd.Series) -> None:
        """Record every cell of a column whose reason is set; the index holds row numbers."""
        bad = reasons.notna()
        count = int(bad.sum())
        if not count:
            return
        for reason, cells in reasons[bad].astype(str).value_counts().items():
            self.counts[(column, reason)] += int(cells)
        room = max(MAX_ERRORS - len(self.items), 0)
        for row, value, reason in zip(
            values.index[bad][:room], values[bad][:room], reasons[bad][:room], strict=True
        ):
            self.items.append(RowError(int(row), column, str(value), str(reason)))
        self.total += count

    def extend(self, other: "ErrorList") -> None:
        """Add the errors of another list."""
        for item in other.items[: max(MAX_ERRORS - len(self.items), 0)]:
            self.items.append(item)
        self.total += other.total
        self.counts.update(other.counts)
        self.whole_file |= other.whole_file

    def renamed(self, names: dict[str, str]) -> "ErrorList":
        """Return the same errors with columns named as the file names them."""
        return ErrorList(
            [replace(e, column=names.get(e.column, e.column)) for e in self.items],
            self.total,
            Counter({(names.get(c, c), r): n for (c, r), n in self.counts.items()}),
            set(self.whole_file),
        )

    def groups(self) -> list[dict]:
        """Return the errors grouped by reason, most cells first, each with its columns' counts."""
        by_reason: dict[str, Counter] = {}
        for (column, reason), cells in self.counts.items():
            by_reason.setdefault(reason, Counter())[column] += cells
        ordered = sorted(by_reason.items(), key=lambda item: (-item[1].total(), item[0]))
        return [
            {
                "reason": reason,
                "cells": columns.total(),
                "columns": dict(columns.most_common()),
                "summary": _summary(reason, columns, reason in self.whole_file),
            }
            for reason, columns in ordered[:MAX_GROUPS]
        ]

    def as_json(self) -> list[dict]:
        """Return the kept errors, sorted by row, as plain dicts."""
        ordered = sorted(self.items, key=lambda e: (e.row or 0, e.column))
        return [asdict(e) | {"value": shown(e.value)} for e in ordered]

    def __bool__(self) -> bool:
        return self.total > 0


def _summary(reason: str, columns: Counter, whole_file: bool) -> str:
    if whole_file:  # about columns of the file, not cells: name them
        return f"{', '.join(columns)}: {reason}"
    cells = columns.total()
    if len(columns) == 1:
        return f"{cells:,} {'cell' if cells == 1 else 'cells'} in {next(iter(columns))}: {reason}"
    return f"{cells:,} cells in {len(columns)} columns: {reason}"
