"""A column mapping as the user gives it: headers to columns, constants, defaults and file formats."""

from dataclasses import dataclass, field

from cstier.domain.imports.formats import DATE_ORDERS, DECIMAL_SEPARATORS, CellFormats

COMPANIES_FROM_ACCOUNTS = "from_accounts"
FILE_KEYS = ("columns", "constants", "defaults", "date_format", "decimal_separator", "companies")


class MappingRefused(ValueError):
    """A mapping file or form that cannot be understood; the message says what to fix."""


@dataclass
class ImportMapping:
    """How a file's columns feed a kind's columns, and what fills the columns the file lacks."""

    columns: dict[str, str] = field(default_factory=dict)  # file header -> column, '' ignores
    constants: dict[str, str] = field(default_factory=dict)  # column -> text for every row
    defaults: dict[str, str] = field(default_factory=dict)  # column -> text for blank cells
    date_order: str | None = None  # DMY or MDY when the file writes 03/04/2026
    decimal: str = "."
    companies_from_accounts: bool = False  # a company per account, named after it

    @property
    def formats(self) -> CellFormats:
        """Return how the file writes dates and amounts."""
        return CellFormats(self.date_order, self.decimal)

    @property
    def fills(self) -> dict[str, str]:
        """Return every column's constant or default value, for the mapping page."""
        return self.defaults | self.constants

    def filled(self) -> set[str]:
        """Return the columns fed by something other than a file header."""
        extra = set(self.constants) | set(self.defaults)
        if self.companies_from_accounts:
            extra.add("company_external_id")
        return extra

    def as_json(self) -> dict:
        """Return the mapping in the file format `--mapping` reads (and the database stores)."""
        data: dict = {"columns": dict(self.columns)}
        if self.constants:
            data["constants"] = dict(self.constants)
        if self.defaults:
            data["defaults"] = dict(self.defaults)
        if self.date_order:
            data["date_format"] = self.date_order
        if self.decimal != ".":
            data["decimal_separator"] = self.decimal
        if self.companies_from_accounts:
            data["companies"] = COMPANIES_FROM_ACCOUNTS
        return data

    @classmethod
    def from_json(cls, data: object) -> "ImportMapping":
        """Read a mapping file: {"columns": {...}, "constants": {...}, ...} or the older flat form."""
        if not isinstance(data, dict):
            raise MappingRefused("The mapping must be a JSON object.")
        if not isinstance(data.get("columns"), dict):
            # The older form: {"file header": "column"}.
            return cls(columns=_texts(data, "the mapping"))
        unknown = sorted(set(data) - set(FILE_KEYS))
        if unknown:
            raise MappingRefused(
                f"Unknown key {unknown[0]!r} in the mapping; the keys are {', '.join(FILE_KEYS)}."
            )
        date_order = data.get("date_format") or None
        if date_order is not None and date_order not in DATE_ORDERS:
            raise MappingRefused(
                f"Unknown date_format {date_order!r}: use {' or '.join(DATE_ORDERS)}."
            )
        decimal = data.get("decimal_separator") or "."
        if decimal not in DECIMAL_SEPARATORS:
            raise MappingRefused(f"Unknown decimal_separator {decimal!r}: use '.' or ','.")
        companies = data.get("companies")
        if companies not in (None, "", COMPANIES_FROM_ACCOUNTS):
            raise MappingRefused(
                f"Unknown companies {companies!r}: use {COMPANIES_FROM_ACCOUNTS!r} or leave it out."
            )
        return cls(
            columns=_texts(data["columns"], "columns"),
            constants=_texts(data.get("constants") or {}, "constants"),
            defaults=_texts(data.get("defaults") or {}, "defaults"),
            date_order=date_order,
            decimal=decimal,
            companies_from_accounts=companies == COMPANIES_FROM_ACCOUNTS,
        )


def _texts(data: object, what: str) -> dict[str, str]:
    if not isinstance(data, dict):
        raise MappingRefused(f"{what} must be a JSON object of names to text.")
    out = {}
    for key, value in data.items():
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise MappingRefused(f"In {what}, {key!r} must map to text, not {value!r}.")
        out[str(key)] = str(value)
    return out
