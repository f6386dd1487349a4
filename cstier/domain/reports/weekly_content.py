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


def section_tables(content: dict) -> dict[str, list[dict]]:
    """Return each section of a report's content as flat rows, for CSV and XLSX downloads."""
    review = content.get("review", {})
    return {
        "headline": [_plain(f) for f in content.get("headline", [])],
        "tier_moves": [
            {"scheme": s["name"], "dimension": s["dimension"], **cell}
            for s in review.get("schemes", [])
            for cell in s.get("matrix", [])
        ],
        "top_movers": [_plain(m) for m in review.get("top_movers", [])],
        "needs_owner": content.get("needs_owner", {}).get("accounts", []),
        "open_handoffs": content.get("open_handoffs", {}).get("handoffs", []),
        "capacity_csms": content.get("capacity", {}).get("csms", []),
        "capacity_models": content.get("capacity", {}).get("models", []),
        "at_risk": [
            {**a, "signals": "; ".join(a.get("signals", []))}
            for a in content.get("at_risk", {}).get("accounts", [])
        ],
        "hidden_gems": [
            {**g, "signals": "; ".join(g.get("signals", []))}
            for g in content.get("hidden_gems", {}).get("accounts", [])
        ],
        "expiring_overrides": content.get("expiring_overrides", {}).get("overrides", []),
        "metrics": [_plain(f) for f in content.get("metrics", {}).get("figures", [])],
    }


def _plain(row: dict) -> dict:
    return {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()}
