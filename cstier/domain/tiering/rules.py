"""Segments: ordered rules (first match wins) and hand-picked static lists."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cstier.domain.tiering.explain import tier_frame
from cstier.domain.tiering.operators import SYMBOLS, condition_mask
from cstier.domain.tiering.schemes import Condition, RuleScheme, StaticScheme


def evaluate_rules(
    scheme: RuleScheme, accounts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Give each account the tier of the first rule it matches, else the default."""
    require_columns(accounts, {c.field for rule in scheme.rules for c in rule.conditions})
    tiers: list[str] = []
    texts: list[str] = []
    matched: list[np.ndarray] = []
    codes: list[np.ndarray | int] = []
    for number, rule in enumerate(scheme.rules, start=1):
        masks = np.column_stack([condition_mask(c, accounts) for c in rule.conditions])
        head = f"Rule {number} '{rule.name}': "
        if rule.match == "all":
            matched.append(masks.all(axis=1))
            codes.append(len(texts))
            texts.append(
                head + " and ".join(map(condition_text, rule.conditions)) + f" → {rule.tier}"
            )
            tiers.append(rule.tier)
        else:
            # Name the condition that actually matched: the first true one.
            matched.append(masks.any(axis=1))
            codes.append(len(texts) + masks.argmax(axis=1))
            for condition in rule.conditions:
                texts.append(head + condition_text(condition) + f" → {rule.tier}")
                tiers.append(rule.tier)
    texts.append(f"No rule matched → default {scheme.default}")
    tiers.append(scheme.default)
    code = np.select(matched, codes, default=len(texts) - 1)
    explanation = np.array(texts, dtype=object)[code] if explain else None
    return tier_frame(accounts, np.array(tiers, dtype=object)[code], explanation)


def evaluate_static(
    scheme: StaticScheme, accounts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Give listed accounts their hand-picked tier and everyone else the default."""
    # Ids are compared as text because JSON lists and id columns disagree on type.
    listed = accounts["account_id"].astype("str").map(dict(scheme.members))
    texts = {tier: f"Hand-picked in '{scheme.name}' → {tier}" for tier in scheme.tiers}
    explanation = listed.map(texts).fillna(f"Not listed → default {scheme.default}")
    tiers = listed.fillna(scheme.default)
    return tier_frame(
        accounts, tiers.to_numpy(object), explanation.to_numpy(object) if explain else None
    )


def condition_text(condition: Condition) -> str:
    """Describe a condition for people, e.g. "employees ≥ 2,000"."""
    field, op, value = condition.field, condition.op, condition.value
    if op == "is_empty":
        return f"{field} is empty"
    if op in ("in", "not_in"):
        word = "in" if op == "in" else "not in"
        return f"{field} {word} {', '.join(map(shown, value))}"
    if op == "between":
        return f"{field} between {shown(value[0])} and {shown(value[1])}"
    if op == "contains":
        return f"{field} contains {value}"
    return f"{field} {SYMBOLS[op]} {shown(value)}"


def shown(value: Any) -> str:
    """Format a condition value the way people write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,}"
    return str(value)


def require_columns(accounts: pd.DataFrame, columns: set[str]) -> None:
    """Fail loudly when the accounts frame lacks a column the scheme reads."""
    missing = sorted(columns - set(accounts.columns))
    if missing:
        raise ValueError(f"Accounts frame lacks columns needed by the scheme: {', '.join(missing)}")
