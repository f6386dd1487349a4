"""Read the book's current tiers compactly: two lists per scheme, not one row per tier.

A run compares a million proposed tiers per scheme with the stored ones. Fetching them as
rows makes the driver build a Python tuple per account and scheme (five million at 1M
accounts), which costs more than the whole evaluation. Instead the database aggregates
each scheme's account ids and tiers into two texts, in the same row order, and NumPy and
pandas' C parser split them. Grouping by scheme alone follows the primary key: no index
on tier is needed (migration 0012), so a changed tier stays an in-place update.
"""

import csv
from io import StringIO

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cstier.services.frames import id_list, read_id_lists, text_list

# Control characters no tier name holds: the unit separator (text_list) ends each name in
# the list, the record separator never occurs, so a comma or quote in a name stays as it is.
SEPARATOR = "\x1f"
NEVER = "\x1e"
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
    # Both aggregates of a group see its rows in the same order, so position i of the
    # tier list belongs to position i of the id list.
    stmt = text(
        f"SELECT scheme_id, {text_list(session, 'tier')}, "
        f"{id_list(session, 'account_id')} FROM account_tier "
        "WHERE scheme_id IN :scheme_ids GROUP BY scheme_id"
    ).bindparams(bindparam("scheme_ids", expanding=True))
    frames = {int(s): _no_tiers() for s in scheme_ids}
    # One row per scheme that holds tiers; few distinct tiers repeat a million times, so the
    # tier column is categorical: cheap to store and compare.
    for (scheme_id, tiers), account_ids in read_id_lists(
        session, stmt, {"scheme_ids": list(scheme_ids)}
    ):
        frames[int(scheme_id)] = pd.DataFrame(
            {"account_id": account_ids, "tier": _split_tiers(tiers)}
        )
    if with_pending:
        for scheme_id, frame in frames.items():
            frames[scheme_id] = _with_pending(session, scheme_id, frame)
    return frames


def _split_tiers(joined: str | None) -> pd.Categorical:
    """Split a joined tier list into categories with pandas' C reader (names kept verbatim)."""
    if not joined:
        return pd.Categorical([])
    column = pd.read_csv(
        StringIO(joined),
        header=None,
        names=["tier"],
        sep=NEVER,
        lineterminator=SEPARATOR,
        quoting=csv.QUOTE_NONE,
        skip_blank_lines=False,
        na_filter=False,
        dtype="category",
        engine="c",
    )["tier"]
    return column.array


def _no_tiers() -> pd.DataFrame:
    return pd.DataFrame(
        {"account_id": np.array([], np.int64), "tier": pd.Series([], dtype="category")}
    )


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
