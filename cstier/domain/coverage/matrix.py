"""Map value × needs tiers to coverage models, column-wise."""

import pandas as pd


def coverage_for_tiers(
    value_tiers: pd.Series, needs_tiers: pd.Series, matrix: pd.DataFrame
) -> pd.Series:
    """Return the coverage model id per account (index) from its value and needs tiers.

    `matrix` has value_tier, needs_tier, coverage_model_id; accounts missing a tier, or whose
    pair has no cell, get <NA>.
    """
    tiers = pd.DataFrame(
        {"value_tier": value_tiers, "needs_tier": needs_tiers.reindex(value_tiers.index)}
    )
    tiers.index.name = "account_id"
    cells = matrix[["value_tier", "needs_tier", "coverage_model_id"]].astype(
        {"value_tier": "string", "needs_tier": "string"}
    )
    keyed = tiers.astype("string").reset_index()
    merged = keyed.merge(cells, on=["value_tier", "needs_tier"], how="left")
    return pd.Series(
        merged["coverage_model_id"].astype("Int64").to_numpy(),
        index=value_tiers.index,
        name="coverage_model_id",
    )
