"""Read the dates and amounts of real exports: day/month order chosen, currency symbols, separators."""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

DATE_ORDERS = {"DMY": "D/M/Y (31/01/2026)", "MDY": "M/D/Y (01/31/2026)"}
DECIMAL_SEPARATORS = {".": "1,234.50 (dot)", ",": "1.234,50 (comma)"}
CURRENCY_SYMBOLS = (
    "US$",
    "$",
    "€",
    "£",
    "¥",
    "₹",
    "CHF",
    "USD",
    "EUR",
    "GBP",
    "JPY",
    "CAD",
    "AUD",
    "INR",
)
AMBIGUOUS_DATE = "ambiguous date: choose the date format (D/M/Y or M/D/Y) for the file"
NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
# Named months and year-first dates can only be read one way.
WORDY_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
)
SPACES = re.compile(r"[\s\u00a0\u202f]+")


class FormatRefused(ValueError):
    """A mapping asks for a date order or decimal separator that does not exist."""


@dataclass(frozen=True)
class CellFormats:
    """How the file writes dates and amounts; None for the date order means ISO or unambiguous only."""

    date_order: str | None = None
    decimal: str = "."

    def __post_init__(self) -> None:
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise FormatRefused(
                f"Unknown date format {self.date_order!r}: choose one of {', '.join(DATE_ORDERS)}."
            )
        if self.decimal not in DECIMAL_SEPARATORS:
            raise FormatRefused(f"Unknown decimal separator {self.decimal!r}: choose '.' or ','.")


PLAIN = CellFormats()


def other_dates(cells: np.ndarray, formats: CellFormats) -> tuple[np.ndarray, np.ndarray]:
    """Read distinct cells written as D/M/Y, M/D/Y or with month names; return days and reasons."""
    days = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[s]")
    reasons = np.full(len(cells), None, dtype=object)
    for i, cell in enumerate(cells):
        day, reason = _one_date(str(cell), formats.date_order)
        if day is not None:
            days[i] = np.datetime64(day, "s")
        reasons[i] = reason
    return days, reasons


def _one_date(cell: str, order: str | None) -> tuple[pd.Timestamp | None, str | None]:
    match = NUMERIC_DATE.match(cell)
    if match:
        first, second, year = (int(g) for g in match.groups())
        year += 2000 if len(match.group(3)) == 2 else 0
        if order is None:  # even 31/01/2026: a column read cell by cell could mix both orders
            return None, AMBIGUOUS_DATE
        day, month = (first, second) if order == "DMY" else (second, first)
        try:
            return pd.Timestamp(year=year, month=month, day=day), None
        except ValueError:
            return None, f"not a date in the chosen format {DATE_ORDERS[order].split(' ')[0]}"
    for pattern in WORDY_FORMATS:
        try:
            return pd.Timestamp(pd.to_datetime(cell, format=pattern)), None
        except ValueError:
            continue
    return None, None


def amounts(text: pd.Series, formats: CellFormats) -> tuple[np.ndarray, np.ndarray]:
    """Read cells like "$1,234.50", "€ 1.234,50" or "1 234,50" as floats; reason where not."""
    codes, distinct = pd.factorize(text.to_numpy(object))
    values = np.full(len(distinct), np.nan)
    reasons = np.full(len(distinct), None, dtype=object)
    for i, cell in enumerate(distinct):
        values[i], reasons[i] = _one_amount(str(cell), formats.decimal)
    return values[codes], reasons[codes]


def _one_amount(cell: str, decimal: str) -> tuple[float, str | None]:
    text = SPACES.sub(" ", cell).strip()
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()-").strip()
    for symbol in CURRENCY_SYMBOLS:
        if text.upper().startswith(symbol):
            text = text[len(symbol) :].strip()
            break
        if text.upper().endswith(symbol):
            text = text[: -len(symbol)].strip()
            break
    if text.startswith("-"):  # "$-5": the sign after the symbol
        negative, text = True, text[1:].strip()
    thousands = "," if decimal == "." else "."
    grouped = rf"\d{{1,3}}(?:[{re.escape(thousands)} ']\d{{3}})+"
    pattern = rf"^(?:{grouped}|\d+)(?:{re.escape(decimal)}\d+)?$"
    if not re.match(pattern, text):
        shown = DECIMAL_SEPARATORS[decimal].split(" ")[0]
        return np.nan, f"not an amount (unknown currency or format; written like {shown})"
    number = float(re.sub(rf"[{re.escape(thousands)} ']", "", text).replace(decimal, "."))
    return (-number if negative else number), None
