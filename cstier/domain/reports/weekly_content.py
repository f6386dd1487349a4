"""The weekly report's content: its schema version, figures with last week's, risk signals, tables."""

import pandas as pd

SCHEMA_VERSION = 1
NOT_COMPUTED = "not yet computed"
NOT_AVAILABLE = "not available"
SECTIONS = (
    "headline",
    "tier_moves",
    "top_movers",
    "needs_owner",
    "open_handoffs",
    "capacity_csms",
    "capacity_models",
    "at_risk",
    "hidden_gems",
    "expiring_overrides",
    "metrics",
)


def figure(key: str, label: str, value: float | int | None, previous: dict | None) -> dict:
    """Return one figure with last week's value and the change, when last week had it."""
    before = (previous or {}).get(key)
    change = value - before if value is not None and before is not None else None
    if isinstance(change, float):
        change = round(change, 4)  # a percentage's difference, without float noise
    return {"key": key, "label": label, "value": value, "previous": before, "change": change}


def figure_values(figures: list[dict]) -> dict:
    """Return key → value of a snapshot's figures, for next week's comparison."""
    return {f["key"]: f["value"] for f in figures or []}


def with_previous(figures: list[dict], previous: list[dict] | None) -> list[dict]:
    """Return figures ({key, label, value, …}) each carrying last week's value and the change."""
    before = figure_values(previous or [])
    return [{**f, **figure(f["key"], f["label"], f["value"], before)} for f in figures]


def fell_from_top(changes: pd.DataFrame, tiers: list[str]) -> pd.DataFrame:
    """Return account_id, from_tier, to_tier of accounts whose week's net move left the top tier down.

    `changes` holds one value scheme's changes of the week (account_id, from_tier, to_tier,
    at); `tiers` its tiers, top first. An account's net move runs from its first change's
    from_tier to its last change's to_tier.
    """
    empty = pd.DataFrame({"account_id": [], "from_tier": [], "to_tier": []})
    if changes.empty or not tiers:
        return empty
    ordered = changes.sort_values(["account_id", "at"], kind="stable")
    net = ordered.groupby("account_id").agg(
        from_tier=("from_tier", "first"), to_tier=("to_tier", "last")
    )
    rank = {tier: position for position, tier in enumerate(tiers)}
    fell = net[
        (net["from_tier"] == tiers[0])
        & net["to_tier"].map(lambda t: rank.get(t, len(tiers)) > 0).astype(bool)
    ]
    return fell.reset_index()[["account_id", "from_tier", "to_tier"]]


# Each download table's columns, in order: the stored JSON keeps no key order on PostgreSQL.
SECTION_COLUMNS = {
    "headline": ["key", "label", "value", "previous", "change"],
    "tier_moves": ["scheme", "dimension", "from_tier", "to_tier", "accounts", "arr_cents"],
    "top_movers": [
        "account_id", "account_name", "scheme_name", "from_tier", "to_tier", "direction",
        "arr_cents",
    ],
    "needs_owner": [
        "account_id", "account_name", "arr_cents", "csm_name", "coverage_model",
        "suggested_owner",
    ],
    "open_handoffs": [
        "handoff_id", "account_id", "account_name", "from_csm", "to_csm", "due_date",
        "created_at",
    ],
    "capacity_csms": [
        "csm_id", "name", "active", "accounts", "arr_cents", "fte", "load_pct", "arr_load_pct",
        "load", "status", "over_capacity",
    ],
    "capacity_models": [
        "coverage_model_id", "key", "name", "accounts", "arr_cents", "by_count", "by_arr",
        "required", "current", "gap", "load_pct", "over_capacity",
    ],
    "at_risk": ["account_id", "account_name", "arr_cents", "csm_name", "signals"],
    "hidden_gems": ["account_id", "account_name", "arr_cents", "signals"],
    "expiring_overrides": [
        "override_id", "account_id", "account_name", "scheme_name", "tier", "expires_at",
        "reason",
    ],
    "metrics": ["key", "label", "segment", "value", "previous", "change"],
}  # fmt: skip


def section_tables(content: dict) -> dict[str, pd.DataFrame]:
    """Return each section of a report's content as a table, for CSV and XLSX downloads."""
    review = content.get("review", {})
    rows = {
        "headline": content.get("headline", []),
        "tier_moves": [
            {"scheme": s["name"], "dimension": s["dimension"], **cell}
            for s in review.get("schemes", [])
            for cell in s.get("matrix", [])
        ],
        "top_movers": review.get("top_movers", []),
        "needs_owner": content.get("needs_owner", {}).get("accounts", []),
        "open_handoffs": content.get("open_handoffs", {}).get("handoffs", []),
        "capacity_csms": content.get("capacity", {}).get("csms", []),
        "capacity_models": content.get("capacity", {}).get("models", []),
        "at_risk": content.get("at_risk", {}).get("accounts", []),
        "hidden_gems": content.get("hidden_gems", {}).get("accounts", []),
        "expiring_overrides": content.get("expiring_overrides", {}).get("overrides", []),
        "metrics": content.get("metrics", {}).get("figures", []),
    }
    return {
        name: pd.DataFrame(
            [[_cell(row.get(column)) for column in SECTION_COLUMNS[name]] for row in rows[name]],
            columns=SECTION_COLUMNS[name],
        )
        for name in SECTIONS
    }


def _cell(value):
    return "; ".join(map(str, value)) if isinstance(value, list) else value
