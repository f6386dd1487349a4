"""Parse whole columns of text cells into typed values; each parser returns values and a reason per bad cell."""

import pandas as pd

# Excel's 1900 date system counts days from 1899-12-30 (this absorbs its fictitious 1900-02-29).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _reasons(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="object")


def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers; '12.0' (a number cell from Excel) counts as 12."""
    reasons = _reasons(text.index)
    ok = text.str.fullmatch(r"[+-]?\d+(\.0*)?").fillna(False).astype(bool)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
    reasons[(text != "") & ~ok] = "not a whole number"
    return values, reasons


def parse_float(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimal numbers written with a dot."""
    reasons = _reasons(text.index)
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype("Float64")
    reasons[(text != "") & values.isna()] = "not a number (write 1234.5, no thousands separators)"
    return values, reasons


def parse_money(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse currency units with at most two decimals into integer cents; refuse negatives."""
    reasons = _reasons(text.index)
    ok = text.str.fullmatch(r"\d+(\.\d{0,2})?|\.\d{1,2}").fillna(False).astype(bool)
    # Exact decimal arithmetic on the digits: a float would turn 0.29 into 28 cents.
    parts = text.where(ok, "0").str.partition(".")
    whole = pd.to_numeric(parts[0].where(parts[0] != "", "0")).astype("Int64")
    fraction = pd.to_numeric(parts[2].str.ljust(2, "0").where(parts[2] != "", "0")).astype("Int64")
    values = (whole * 100 + fraction).where(ok)
    negative = text.str.fullmatch(r"-\d+(\.\d*)?").fillna(False).astype(bool)
    reasons[(text != "") & ~ok] = "not an amount (write 1234.50: at most two decimals, no symbols)"
    reasons[negative] = "money cannot be negative"
    return values.astype("Int64"), reasons


def parse_date(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ISO dates (YYYY-MM-DD, time at midnight allowed) and Excel serial day numbers."""
    reasons = _reasons(text.index)
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{1,7}(\.0*)?").fillna(False)), errors="coerce")
    serial = serial.where((serial >= 1) & (serial <= EXCEL_MAX_SERIAL))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    iso = text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?").fillna(False))
    from_iso = pd.to_datetime(iso.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    values = from_iso.fillna(from_serial).astype("datetime64[s]")
    reasons[(text != "") & values.isna()] = "not a date (write YYYY-MM-DD)"
    return values, reasons


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
    canonical = {c.lower(): c for c in choices}
    values = text.str.lower().map(canonical).astype("object")
    reasons[(text != "") & values.isna()] = f"must be one of {', '.join(choices)}"
    return values.where(values.notna(), None), reasons


def parse_text(text: pd.Series, kind: str = "text") -> tuple[pd.Series, pd.Series]:
    """Keep text as it is; emails must look like one."""
    reasons = _reasons(text.index)
    if kind == "email":
        bad = (text != "") & ~text.str.fullmatch(EMAIL).fillna(False).astype(bool)
        reasons[bad] = "not an email address"
    return text.astype("object").where(text != "", None), reasons
