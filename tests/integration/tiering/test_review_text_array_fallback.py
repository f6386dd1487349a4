"""Review of 8fd7034: plain text attributes read beside numbers must not send a chunk to CSV lines.

Before the mixed number+text array (369ef97), a text attribute was read by its own
json_extract aggregate, which decodes escapes and never confuses a quoted "2024" with a
bare number, so none of these values left the column-wise path. Now `_split_arrays`
returns None for the whole chunk (every column re-read as CSV lines, ~6x slower per the
docstring of services/columns.py) as soon as one text value:
- holds a non-ASCII character (json.dumps, used by the ORM's JSON type and by imports,
  writes it as a \\uXXXX escape, so the array holds a backslash),
- looks like a number or a boolean ("2024", "10", "true"), as codes and choices often do,
- or is empty.
The values still come back right (the fallback is exact): this is a silent perf cliff.
"""

import pytest

from cstier.models import CustomAttribute
from cstier.services import columns
from cstier.services.tiering.fields import field_catalog, load_book
from tests.factories import AccountFactory


def _attribute(db_session, key: str, data_type: str) -> None:
    db_session.add(CustomAttribute(key=key, label=key.title(), data_type=data_type))
    db_session.flush()


@pytest.mark.parametrize("motto", ["Zürich", "São Paulo", "2024", "true", ""])
def test_a_plain_text_value_keeps_the_chunk_column_wise(db_session, monkeypatch, motto):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("the number+text array is SQLite's")
    _attribute(db_session, "motto", "text")
    _attribute(db_session, "score", "number")
    odd = AccountFactory(attributes={"motto": motto, "score": 1})
    plain = AccountFactory(attributes={"motto": "medium", "score": 2})
    fell_back = []
    original = columns._as_lines

    def counted(*args, **kwargs):
        fell_back.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(columns, "_as_lines", counted)
    book = load_book(
        db_session, {"attr.motto", "attr.score"}, field_catalog(db_session)
    ).set_index("account_id")
    assert book.loc[odd.id, "attr.motto"] == motto  # right either way
    assert book.loc[plain.id, "attr.score"] == 2.0
    assert not fell_back, "a plain text value sent the whole chunk to CSV lines"
