"""Seeded coverage models and the value × needs matrix a new workspace starts from."""

from typing import Any

DEFAULT_MODELS: list[dict[str, Any]] = [
    {
        "key": "high_touch",
        "name": "High-touch",
        "motion": "high_touch",
        "accounts_per_csm": 50,
        "arr_per_csm_cents": 5_000_000_00,
        "hard_limit_pct": 125,
        "cadence": "Quarterly business review",
        "sort_order": 1,
    },
    {
        "key": "pooled",
        "name": "Pooled",
        "motion": "pooled",
        "accounts_per_csm": 300,
        "arr_per_csm_cents": None,
        "hard_limit_pct": 125,
        "cadence": "Monthly check-in",
        "sort_order": 2,
    },
    {
        "key": "tech_touch",
        "name": "Tech-touch",
        "motion": "tech_touch",
        "accounts_per_csm": 2000,
        "arr_per_csm_cents": None,
        "hard_limit_pct": 125,
        "cadence": "Digital only",
        "sort_order": 3,
    },
]

MOTIONS = {"high_touch": "High-touch", "pooled": "Pooled", "tech_touch": "Tech-touch"}

VALUE_TIERS = ("Strategic", "Growth", "Scale")
NEEDS_TIERS = ("High", "Medium", "Low")

# Value tier × needs tier → model key: revenue buys attention, needs decide how much of it.
DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    ("Strategic", "High"): "high_touch",
    ("Strategic", "Medium"): "high_touch",
    ("Strategic", "Low"): "pooled",
    ("Growth", "High"): "high_touch",
    ("Growth", "Medium"): "pooled",
    ("Growth", "Low"): "pooled",
    ("Scale", "High"): "pooled",
    ("Scale", "Medium"): "tech_touch",
    ("Scale", "Low"): "tech_touch",
}
