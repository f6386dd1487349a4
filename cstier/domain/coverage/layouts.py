"""The column layouts the coverage maths works on, and the share of a CSM each account takes."""

import pandas as pd

MODEL_COLUMNS = (
    "coverage_model_id",
    "key",
    "name",
    "accounts_per_csm",
    "arr_per_csm_cents",
    "hard_limit_pct",
)
BOOK_COLUMNS = ("account_id", "csm_id", "coverage_model_id", "arr_cents")
CSM_COLUMNS = ("csm_id", "fte", "active", "regions", "verticals", "model_ids")


def require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise ValueError naming the missing columns, so a wrong frame fails loudly."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks columns: {', '.join(missing)}")


def account_units(book: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Return the book with the FTE share each account uses by count and by explicit ARR target.

    An account of a 1:50 model uses 1/50 of a CSM; with a 5M ARR target, an account of 1M
    uses 1/5 of a CSM by ARR. Mixed books therefore add up on one scale.
    """
    targets = models.set_index("coverage_model_id")
    model = book["coverage_model_id"]
    ratio = model.map(targets["accounts_per_csm"]).astype(float)
    arr_target = model.map(targets["arr_per_csm_cents"]).astype(float)
    units = book.copy()
    units["count_units"] = (1.0 / ratio).fillna(0.0)
    units["arr_units"] = (book["arr_cents"].astype(float) / arr_target).fillna(0.0)
    units["has_arr_target"] = arr_target.notna()
    return units
