"""How a subscriptions file writes its end dates: the first day without service, or the last day with."""

import pandas as pd

# exclusive: the end date is the first day the subscription no longer runs (stored as is);
# inclusive: it is the last day of service, so one day is added on import.
END_DATE_CONVENTIONS = ("exclusive", "inclusive")


def stored_end_dates(frame: pd.DataFrame, convention: str) -> pd.DataFrame:
    """Return a typed subscriptions chunk with its end dates as stored (first day not running)."""
    if convention not in END_DATE_CONVENTIONS:
        raise ValueError(
            f"end dates: choose {' or '.join(END_DATE_CONVENTIONS)}, not {convention!r}"
        )
    if convention == "exclusive" or "end_date" not in frame:
        return frame
    return frame.assign(end_date=frame["end_date"] + pd.Timedelta(days=1))
