"""Fields read by key from one JSON column, as the column readers take them."""

from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class JsonFields:
    """Fields read by key from one JSON column (custom attributes), after a select's columns."""

    document: ColumnElement
    keys: dict[str, str]  # field name -> key in the document

    def value(self, name: str, document: ColumnElement | None = None) -> ColumnElement:
        """Return the field's value as text (NULL where the key is missing or null)."""
        return (self.document if document is None else document)[self.keys[name]].as_string()
