"""COPY text and executemany values for the bulk insert of new rows."""

import pandas as pd

from cstier.store.import_writes import copy_text, storage_values


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "external_id": ["A\t1", "B\\2", "C\n3"],
            "company_id": pd.array([7, None, 123456789012], dtype="Int64"),
            "csm_id": pd.array([None, None, None], dtype="Int64"),
            "renewal_date": pd.Series(["2026-01-31", None, "2026-01-31"], dtype="datetime64[s]"),
            "plan": ["Pro", None, "Pro"],
        }
    )


def test_copy_text_escapes_specials_and_writes_null_as_backslash_n():
    assert copy_text(rows(), [1, "{}"]).split("\n") == [
        "A\\t1\t7\t\\N\t2026-01-31\tPro\t1\t{}",
        "B\\\\2\t\\N\t\\N\t\\N\t\\N\t1\t{}",
        "C\\n3\t123456789012\t\\N\t2026-01-31\tPro\t1\t{}",
        "",
    ]


def test_storage_values_are_plain_python():
    frame = rows()
    assert storage_values(frame["renewal_date"]) == ["2026-01-31", None, "2026-01-31"]
    assert storage_values(frame["company_id"]) == [7, None, 123456789012]
