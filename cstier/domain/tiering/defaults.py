"""Seeded scheme definitions a new workspace starts from (plain JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

# The standard account columns the seeded schemes read, with their field types.
DEFAULT_FIELDS: dict[str, str] = {
    "arr": "number",
    "expansion_potential": "number",
    "is_strategic": "boolean",
    "validated_need_count": "number",
    "onboarding_complexity": "text",
    "product_count": "number",
    "seats": "number",
    "support_tickets_per_month": "number",
    "employees": "number",
    "region": "text",
    "industry": "text",
}

VALUE_TIERS: dict[str, Any] = {
    "dimension": "value",
    "name": "Value tiers",
    "goal": "Spend CSM time where the revenue is.",
    "kpi": "Net revenue retention per tier",
    "method": "bands",
    "field": "arr",
    "bands": [
        {"tier": "Strategic", "min": 250_000},
        {"tier": "Growth", "min": 50_000, "max": 250_000},
        {"tier": "Scale", "max": 50_000},
    ],
    "hysteresis": {"margin_pct": 5},
}

NEEDS_TIERS: dict[str, Any] = {
    "dimension": "needs",
    "name": "Needs tiers",
    "goal": "Match the coverage motion to how much help an account needs.",
    "kpi": "Time to first value and onboarding stall rate per tier",
    "method": "score",
    "components": [
        {
            "name": "validated needs",
            "field": "validated_need_count",
            "weight": 30,
            "min": 0,
            "max": 5,
        },
        {
            "name": "onboarding complexity",
            "field": "onboarding_complexity",
            "weight": 25,
            "mapping": {"low": 0.0, "medium": 0.5, "high": 1.0},
        },
        {"name": "products", "field": "product_count", "weight": 15, "min": 1, "max": 5},
        {"name": "seats", "field": "seats", "weight": 15, "min": 0, "max": 1000},
        {
            "name": "support tickets",
            "field": "support_tickets_per_month",
            "weight": 15,
            "min": 0,
            "max": 20,
        },
    ],
    "thresholds": [
        {"tier": "High", "min": 67},
        {"tier": "Medium", "min": 34},
        {"tier": "Low"},
    ],
    "default": "Medium",
}

SIZE_SEGMENTS: dict[str, Any] = {
    "dimension": "segment",
    "name": "Company size",
    "goal": "Tailor playbooks to company size.",
    "kpi": "Logo churn rate per size segment",
    "method": "rules",
    "rules": [
        {
            "name": "SMB",
            "tier": "SMB",
            "conditions": [{"field": "employees", "op": "lt", "value": 200}],
        },
        {
            "name": "Mid-market",
            "tier": "Mid-market",
            "conditions": [{"field": "employees", "op": "lt", "value": 2000}],
        },
        {
            "name": "Enterprise",
            "tier": "Enterprise",
            "conditions": [{"field": "employees", "op": "ge", "value": 2000}],
        },
    ],
    "default": "Unknown",
}

REGIONS = ("NA", "EMEA", "APAC", "LATAM")

REGION_SEGMENTS: dict[str, Any] = {
    "dimension": "segment",
    "name": "Region",
    "goal": "Route accounts to teams in their time zones.",
    "kpi": "Response time per region",
    "method": "rules",
    "rules": [
        {
            "name": region,
            "tier": region,
            "conditions": [{"field": "region", "op": "eq", "value": region}],
        }
        for region in REGIONS
    ],
    "default": "Other",
}

VERTICALS = (
    "Software",
    "Financial services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Logistics",
    "Public sector",
)

VERTICAL_SEGMENTS: dict[str, Any] = {
    "dimension": "segment",
    "name": "Vertical",
    "goal": "Share industry playbooks and references.",
    "kpi": "Adoption rate per vertical",
    "method": "rules",
    "rules": [
        {
            "name": vertical,
            "tier": vertical,
            "conditions": [{"field": "industry", "op": "eq", "value": vertical}],
        }
        for vertical in VERTICALS
    ],
    "default": "Other",
}

DEFAULT_SCHEMES: tuple[dict[str, Any], ...] = (
    VALUE_TIERS,
    NEEDS_TIERS,
    SIZE_SEGMENTS,
    REGION_SEGMENTS,
    VERTICAL_SEGMENTS,
)
