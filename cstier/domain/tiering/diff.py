"""Compare current and proposed tiers: the changes and a from→to movement matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cstier.domain.tiering.align import aligned_positions, tiers_at

NO_TIER = "(none)"


def diff_tiers(current: pd.DataFrame, proposed: pd.DataFrame) -> pd.DataFrame:
    """Return account_id, from_tier, to_tier for proposed accounts whose tier changes.

    Accounts absent from `proposed` are left out (a re-tier may touch only some
    accounts); accounts absent from `current` show a missing from_tier.
    """
    positions = aligned_positions(current["account_id"], proposed["account_id"])
    if positions is None:
        before = current.drop_duplicates("account_id", keep="last").set_index("account_id")
        from_tier = before["tier"].reindex(proposed["account_id"]).to_numpy(object)
    else:
        from_tier = tiers_at(current["tier"], positions)
    to_tier = proposed["tier"].to_numpy(object)
    # Few tiers change: test for missing ones only where the objects differ.
    differs = np.flatnonzero(from_tier != to_tier)
    changed = differs[~(pd.isna(from_tier[differs]) & pd.isna(to_tier[differs]))]
    return pd.DataFrame(
        {
            "account_id": proposed["account_id"].to_numpy()[changed],
            "from_tier": pd.Series(from_tier[changed], dtype="str"),
            "to_tier": pd.Series(to_tier[changed], dtype="str"),
        }
    )


def movement_matrix(
    diff_or_full: pd.DataFrame, arr: pd.Series, tier_order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return from_tier, to_tier, accounts and arr moved for each from→to pair.

    Takes a diff or a full from/to frame (then unchanged pairs appear too);
    `arr` is indexed by account_id; a missing tier shows as "(none)".
    """
    moves = pd.DataFrame(
        {
            "from_tier": diff_or_full["from_tier"].fillna(NO_TIER).to_numpy(object),
            "to_tier": diff_or_full["to_tier"].fillna(NO_TIER).to_numpy(object),
            "arr": arr.reindex(diff_or_full["account_id"]).fillna(0.0).to_numpy(float),
        }
    )
    matrix = (
        moves.groupby(["from_tier", "to_tier"], sort=False)
        .agg(accounts=("arr", "size"), arr=("arr", "sum"))
        .reset_index()
    )
    return ordered_matrix(matrix, tier_order)


def ordered_matrix(matrix: pd.DataFrame, tier_order: Sequence[str] | None = None) -> pd.DataFrame:
    """Return a matrix of from_tier/to_tier pairs in display order.

    Listed tiers come in their order, then others alphabetically, "(none)" last.
    """
    order = {tier: i for i, tier in enumerate(tier_order or [])}

    def position(column: pd.Series) -> pd.Series:
        return column.map(
            lambda tier: (0, order[tier], "") if tier in order else (1 + (tier == NO_TIER), 0, tier)
        )

    return matrix.sort_values(["from_tier", "to_tier"], key=position).reset_index(drop=True)
