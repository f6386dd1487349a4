"""Column parsers and chunk validation, on plain DataFrames."""

import pandas as pd
import pytest

from cstier.domain.imports import KINDS, clean_text, validate_chunk
from cstier.domain.imports.cells import parse_date, parse_enum, parse_int, parse_money


def column(*cells: str) -> pd.Series:
    return pd.Series(list(cells), index=range(1, len(cells) + 1), dtype=object)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1234.50", 123450), ("0.29", 29), ("1234.5", 123450), ("7", 700), ("", None)],
)
def test_money_is_parsed_into_exact_cents(text, cents):
    values, reasons = parse_money(column(text))
    assert (None if pd.isna(values[1]) else int(values[1])) == cents
    assert pd.isna(reasons[1])


@pytest.mark.parametrize(
    ("text", "reason"),
    [("-5", "money cannot be negative"), ("1.234", "not an amount"), ("12 XYZ", "not an amount")],
)
def test_bad_money_gets_a_reason(text, reason):
    _, reasons = parse_money(column("1.00", text))
    assert reason in reasons[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", "2026-01-31"),
        ("45658", "2025-01-01"),  # an Excel serial day number
        ("2026-01-31 00:00:00", "2026-01-31"),
    ],
)
def test_dates_accept_iso_and_excel_serials(text, expected):
    values, reasons = parse_date(column("2026-02-01", text))
    assert values[2] == pd.Timestamp(expected)
    assert pd.isna(reasons[2])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/01/2026", "ambiguous date: choose the date format"),
        ("2026-02-30", "not a date"),
        ("2026", "not a date"),
        ("soon", "not a date"),
    ],
)
def test_bad_dates_are_refused(text, reason):
    values, reasons = parse_date(column(text))
    assert pd.isna(values[1])
    assert reasons[1].startswith(reason)


def test_enum_is_case_insensitive_and_stored_canonical():
    values, reasons = parse_enum(column("Active", "active", "nope"), ("active", "churned"))
    assert values.tolist()[:2] == ["active", "active"]
    assert reasons[3].startswith("must be one of")


def test_int_accepts_excel_whole_floats():
    values, reasons = parse_int(column("12", "12.0", "1.5"))
    assert values.tolist()[:2] == [12, 12]
    assert reasons[3] == "not a whole number"


def test_validate_chunk_names_row_column_value_and_reason():
    text = clean_text(
        pd.DataFrame(
            {
                "external_id": ["A1", "A2"],
                "name": [" Padded ", "B"],
                "unit_type": ["company", "company"],
                "company_external_id": ["C1", "C1"],
                "arr": ["10", "-1"],
                "lifecycle_stage": ["active", "active"],
            },
            index=[1, 2],
        )
    )
    typed, errors = validate_chunk(KINDS["accounts"], text)
    assert typed.at[1, "name"] == "Padded"
    [error] = errors.items
    assert (error.row, error.column, error.value, error.reason) == (
        2,
        "arr",
        "-1",
        "money cannot be negative",
    )


def test_renewal_before_start_is_an_error():
    text = pd.DataFrame(
        {
            "external_id": ["A1"],
            "name": ["A"],
            "unit_type": ["company"],
            "company_external_id": ["C1"],
            "lifecycle_stage": ["active"],
            "contract_start_date": ["2026-01-01"],
            "renewal_date": ["2025-01-01"],
        },
        index=[1],
    )
    _, errors = validate_chunk(KINDS["accounts"], text)
    assert [e.column for e in errors.items] == ["renewal_date"]


def test_clean_text_turns_missing_cells_and_numbers_into_text():
    frame = pd.DataFrame({"a": ["x", None, " y "], "b": [1, float("nan"), 2]}, dtype=object)
    text = clean_text(frame)
    assert text["a"].tolist() == ["x", "", "y"]
    assert text["b"].tolist() == ["1", "", "2"]


def test_dates_repeat_and_stay_in_place():
    values, reasons = parse_date(column("2026-02-01", "", "2026-02-01", "2025-12-31"))
    assert [None if pd.isna(v) else v.date().isoformat() for v in values] == [
        "2026-02-01",
        None,
        "2026-02-01",
        "2025-12-31",
    ]
    assert reasons.isna().all()
