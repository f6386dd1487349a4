"""Plain text attributes read beside numbers keep a SQLite chunk column-wise.

On SQLite, number and text attributes share one json_extract array per row
(store/column_text.py). Values a CSV parser could misread send the whole chunk to the
exact but slower CSV lines, so ordinary values must not: non-ASCII text (json.dumps writes
it as \\uXXXX escapes), digits ("2024"), "true" and the empty string.
"""

import pytest

from cstier.models import CustomAttribute
from cstier.services.tiering.fields import field_catalog, load_book
from cstier.store import column_reads as columns
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
    book = load_book(db_session, {"attr.motto", "attr.score"}, field_catalog(db_session)).set_index(
        "account_id"
    )
    assert book.loc[odd.id, "attr.motto"] == motto  # right either way
    assert book.loc[plain.id, "attr.score"] == 2.0
    assert not fell_back, "a plain text value sent the whole chunk to CSV lines"
