"""Tiny subscription books written as rows, for hand-computed retention cases."""

from datetime import date

import numpy as np

from cstier.domain.metrics import subscription_book
from cstier.domain.metrics.periods import day_number


def book(*rows: tuple[int, str, str | None, int]):
    """Return a book of (account, start, end or None, MRR in cents) rows."""
    return subscription_book(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([day_number(date.fromisoformat(r[1])) for r in rows]),
        np.array([day_number(date.fromisoformat(r[2])) if r[2] else np.nan for r in rows]),
        np.array([r[3] for r in rows], dtype=np.int64),
    )
