"""Parse whole columns of text cells into typed values; each parser returns values and a reason per bad cell."""

import numpy as np
import pandas as pd

from cstier.domain.imports.formats import PLAIN, CellFormats, amounts, other_dates

# Excel's 1900 date system counts days from 1899-12-30 (this absorbs its fictitious 1900-02-29).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serials from 1910 on: a bare year such as 2026 in a date column is a mistake, not 1905-07-18.
EXCEL_MIN_SERIAL = 3_654
EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _reasons(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="object")


def _numbers(text: pd.Series) -> pd.Series:
    """Return text as floats (NaN where blank or not a number), via numpy's C cast when it can."""
    cells = text.to_numpy(object)
    blank = cells == ""
    try:
        values = np.where(blank, "nan", cells).astype("float64")
    except ValueError:  # some cell is not a number: parse cell by cell, leniently
        values = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy("float64", copy=True)
    values[~np.isfinite(values)] = np.nan
    return pd.Series(values, index=text.index)


def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers; '12.0' (a number cell from Excel) counts as 12."""
    reasons = _reasons(text.index)
    numbers = _numbers(text)
    whole = numbers.notna() & (numbers == numbers.round())
    reasons[(text != "") & ~whole] = "not a whole number"
    return numbers.where(whole).astype("Int64"), reasons


def _written_numbers(text: pd.Series, formats: CellFormats) -> tuple[np.ndarray, pd.Series]:
    """Return numbers, read plainly where they can be and as written amounts elsewhere."""
    reasons = _reasons(text.index)
    filled = text.to_numpy(object) != ""
    if formats.decimal == ".":
        numbers = _numbers(text).to_numpy(copy=True)
        odd = filled & np.isnan(numbers)
    else:  # with a decimal comma "1.234" is a thousand: no cell may take the plain path
        numbers = np.full(len(text), np.nan)
        odd = filled
    if odd.any():
        values, why = amounts(text[odd], formats)
        numbers[odd] = values
        reasons[odd] = why
    return numbers, reasons


def parse_float(text: pd.Series, formats: CellFormats = PLAIN) -> tuple[pd.Series, pd.Series]:
    """Parse decimal numbers, with thousands separators and the chosen decimal separator."""
    numbers, reasons = _written_numbers(text, formats)
    values = pd.Series(numbers, index=text.index).astype("Float64")
    reasons[(text != "") & values.isna()] = "not a number"
    return values, reasons


def parse_money(text: pd.Series, formats: CellFormats = PLAIN) -> tuple[pd.Series, pd.Series]:
    """Parse amounts ("$1,234.50", "€ 1.234,50") into integer cents; refuse negatives."""
    numbers, reasons = _written_numbers(text, formats)
    cents = np.round(numbers * 100)
    # Within a millionth of a cent: decimal text like 0.29 is not exact in binary floating point.
    with np.errstate(invalid="ignore"):
        ok = (np.abs(numbers * 100 - cents) < 1e-6) & (numbers >= 0)
    values = pd.arrays.IntegerArray(np.where(ok, cents, 0).astype("int64"), ~ok)
    bad = ~ok & (text.to_numpy(object) != "")
    if bad.any():
        written = bad & ~np.isnan(numbers)
        reasons[written] = "not an amount (at most two decimals)"
        reasons[numbers < 0] = "money cannot be negative"
    return pd.Series(values, index=text.index), reasons


def parse_date(text: pd.Series, formats: CellFormats = PLAIN) -> tuple[pd.Series, pd.Series]:
    """Parse ISO dates, Excel serials, month names, and D/M/Y or M/D/Y when that order is chosen."""
    reasons = _reasons(text.index)
    values = _iso_dates(text)
    if values is None:
        values = _lenient_dates(text)
    bad = values.isna().to_numpy() & (text.to_numpy(object) != "")
    if bad.any():
        codes, distinct = pd.factorize(text[bad].to_numpy(object))
        days, why = other_dates(distinct, formats)
        values = values.copy()
        values[bad] = days[codes]
        reasons[bad] = np.where(pd.isna(why[codes]), "not a date (write YYYY-MM-DD)", why[codes])
        reasons[values.notna().to_numpy()] = pd.NA
    return values, reasons


def _iso_dates(text: pd.Series) -> pd.Series | None:
    """Parse a column of plain YYYY-MM-DD cells in C; None when any cell is something else."""
    # A column holds a few thousand distinct days at most: parse each once.
    codes, days = pd.factorize(text.to_numpy(object))
    blank = days == ""
    if blank.all():
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    if set(map(len, days[~blank])) != {10}:  # numpy would also accept 2026 or 2026-01 as dates
        return None
    try:
        parsed = np.where(blank, "NaT", days).astype("datetime64[D]")
    except ValueError:
        return None
    return pd.Series(parsed[codes].astype("datetime64[s]"), index=text.index)


def _lenient_dates(text: pd.Series) -> pd.Series:
    """Parse ISO dates with a midnight time and Excel serial day numbers, cell by cell."""
    serial = pd.to_numeric(
        text.where(text.str.fullmatch(r"\d{1,7}(\.0*)?").fillna(False)), errors="coerce"
    )
    serial = serial.where((serial >= EXCEL_MIN_SERIAL) & (serial <= EXCEL_MAX_SERIAL))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    iso = text.where(
        text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?").fillna(False)
    )
    from_iso = pd.to_datetime(iso.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return from_iso.fillna(from_serial).astype("datetime64[s]")


def parse_bool(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse true/false, yes/no and 1/0."""
    reasons = _reasons(text.index)
    lower = text.str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[lower.isin(TRUE_WORDS)] = True
    values[lower.isin(FALSE_WORDS)] = False
    reasons[(text != "") & values.isna()] = "not true or false"
    return values, reasons


def parse_enum(text: pd.Series, choices: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Accept only the listed values (case-insensitive, stored as listed)."""
    reasons = _reasons(text.index)
    exact = text.isin(choices).to_numpy()
    if exact.all():
        return pd.Series(text.to_numpy(object), index=text.index, dtype=object), reasons
    canonical = {c.lower(): c for c in choices}
    values = text.astype("object").where(exact, None)
    # only the odd cells pay for case folding
    values = values.where(exact, text.str.lower().map(canonical).astype("object"))
    reasons[(text != "") & values.isna()] = f"must be one of {', '.join(choices)}"
    return values.where(values.notna(), None), reasons


def parse_text(text: pd.Series, kind: str = "text") -> tuple[pd.Series, pd.Series]:
    """Keep text as it is; emails must look like one."""
    reasons = _reasons(text.index)
    cells = text.to_numpy(object)
    blank = cells == ""
    if kind == "email":
        filled = text[~blank]
        bad = ~filled.str.fullmatch(EMAIL).fillna(False).astype(bool)
        reasons[bad[bad].index] = "not an email address"
    values = np.where(blank, None, cells) if blank.any() else cells
    return pd.Series(values, index=text.index, dtype=object), reasons
