"""Read the book's current tiers compactly: one id list per (scheme, tier), not one row per tier.

A run compares a million proposed tiers per scheme with the stored ones. Fetching them as
rows makes the driver build a Python tuple per account and scheme (five million at 1M
accounts), which costs more than the whole evaluation. Aggregating the ids into one text
per (scheme, tier) inside the database and parsing it with NumPy moves the same data at a
fraction of the cost, on SQLite and PostgreSQL alike.
"""

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cstier.services.frames import id_list, read_id_lists

TIER_COLUMNS = ["account_id", "tier"]
PENDING_COLUMNS = ["account_id", "pending_tier", "pending_count"]


def read_current_tiers(
    session: Session, scheme_ids: list[int], with_pending: bool = False
) -> dict[int, pd.DataFrame]:
    """Return each scheme's account_id and tier (plus pending_tier/pending_count if asked).

    Every scheme id gets a frame, empty when it holds no tiers yet. Rows are in no
    particular order; callers align them by account_id.
    """
    if not scheme_ids:
        return {}
    stmt = text(
        f"SELECT scheme_id, tier, {id_list(session, 'account_id')} FROM account_tier "
        "WHERE scheme_id IN :scheme_ids GROUP BY scheme_id, tier"
    ).bindparams(bindparam("scheme_ids", expanding=True))
    parts: dict[int, list[pd.DataFrame]] = {int(s): [] for s in scheme_ids}
    for (scheme_id, tier), account_ids in read_id_lists(
        session, stmt, {"scheme_ids": list(scheme_ids)}
    ):
        parts[int(scheme_id)].append(
            pd.DataFrame({"account_id": account_ids, "tier": tier}, columns=TIER_COLUMNS)
        )
    frames = {scheme_id: _concat(found) for scheme_id, found in parts.items()}
    if with_pending:
        for scheme_id, frame in frames.items():
            frames[scheme_id] = _with_pending(session, scheme_id, frame)
    return frames


def _concat(found: list[pd.DataFrame]) -> pd.DataFrame:
    if not found:
        return pd.DataFrame(
            {"account_id": np.array([], np.int64), "tier": pd.Series([], dtype="category")}
        )
    frame = pd.concat(found, ignore_index=True)
    # Few distinct tiers repeat a million times: categories store and compare them cheaply.
    frame["tier"] = frame["tier"].astype("category")
    return frame


def _with_pending(session: Session, scheme_id: int, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the consecutive-run counters; only accounts with a pending move have any."""
    rows = session.execute(
        text(
            "SELECT account_id, pending_tier, pending_count FROM account_tier "
            "WHERE scheme_id = :scheme_id AND pending_count > 0"
        ),
        {"scheme_id": scheme_id},
    ).all()
    pending = pd.DataFrame(rows, columns=PENDING_COLUMNS).set_index("account_id")
    merged = frame.join(pending, on="account_id")
    merged["pending_count"] = merged["pending_count"].fillna(0).astype(np.int64)
    return merged
