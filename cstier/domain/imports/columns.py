"""What a column of an import file holds, and what a kind of file is made of."""

from dataclasses import dataclass, field

# Column types the validator knows; money is currency units in the file, cents once parsed.
COLUMN_TYPES = ("text", "int", "float", "money", "date", "enum", "bool", "email")


@dataclass(frozen=True)
class ColumnSpec:
    """One documented column of an import file."""

    name: str
    type: str = "text"
    required: bool = False
    doc: str = ""
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # the kind whose external id this column names
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class KindSpec:
    """One kind of import file: its columns and the columns that identify a row."""

    name: str
    label: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ("external_id",)
    doc: str = ""
    allows_attributes: bool = False  # accounts carry attr.<key> custom attribute columns
    checks: tuple[tuple[str, str], ...] = field(default=())  # (earlier, later) date pairs

    @property
    def names(self) -> list[str]:
        """Return the column names in template order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of one column."""
        return next(c for c in self.columns if c.name == name)

    @property
    def references(self) -> list[ColumnSpec]:
        """Return the columns that name another row by external id."""
        return [c for c in self.columns if c.ref]
