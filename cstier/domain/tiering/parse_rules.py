"""Parse segment rules and their conditions, checking operators against field types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cstier.domain.tiering import checks
from cstier.domain.tiering.operators import OPERATORS, OPERATORS_BY_KIND, canonical_op
from cstier.domain.tiering.schemes import Condition, InvalidScheme, Rule


def parse_rules(raw_rules: Any, fields: Mapping[str, str]) -> tuple[Rule, ...]:
    """Return validated rules in evaluation order."""
    rules = tuple(
        _rule(checks.mapping(raw, f"Rule {number}"), number, fields)
        for number, raw in enumerate(checks.items(raw_rules, "The rule list"), start=1)
    )
    checks.unique_names((rule.name for rule in rules), "rule name")
    return rules


def _rule(raw: Mapping[str, Any], number: int, fields: Mapping[str, str]) -> Rule:
    name = checks.text(raw.get("name", f"Rule {number}"), f"The name of rule {number}")
    where = f"rule {number} '{name}'"
    match = raw.get("match", "all")
    if match not in ("all", "any"):
        raise InvalidScheme(f"The match of {where} must be 'all' or 'any', got {match!r}.")
    conditions = tuple(
        _condition(
            checks.mapping(item, f"Condition {i} of {where}"), f"{where}, condition {i}", fields
        )
        for i, item in enumerate(
            checks.items(raw.get("conditions"), f"The conditions of {where}"), 1
        )
    )
    tier = checks.text(raw.get("tier"), f"The tier of {where}")
    return Rule(name=name, tier=tier, match=match, conditions=conditions)


def _condition(raw: Mapping[str, Any], where: str, fields: Mapping[str, str]) -> Condition:
    kind = checks.field_kind(raw.get("field"), fields, where)
    field = str(raw["field"]).strip()
    op = canonical_op(checks.text(raw.get("op"), f"The operator of {where}"))
    if op not in OPERATORS:
        raise InvalidScheme(
            f"Unknown operator '{raw['op']}' in {where}. Use one of: {', '.join(OPERATORS)}."
        )
    allowed = OPERATORS_BY_KIND[kind]
    if op not in allowed:
        raise InvalidScheme(
            f"Operator '{raw['op']}' does not apply to {kind} field '{field}' in {where}. "
            f"Use one of: {', '.join(allowed)}."
        )
    return Condition(
        field=field, op=op, value=_operand(op, kind, raw.get("value"), where), kind=kind
    )


def _operand(op: str, kind: str, value: Any, where: str) -> Any:
    if op == "is_empty":
        return None
    if op in ("in", "not_in"):
        values = checks.items(value, f"The value list of {where}")
        return tuple(_scalar(kind, item, where) for item in values)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise InvalidScheme(f"'between' in {where} needs a [low, high] pair, got {value!r}.")
        low, high = (_scalar(kind, item, where) for item in value)
        if _comparable(kind, low) > _comparable(kind, high):
            raise InvalidScheme(f"'between' in {where} has low {low!r} above high {high!r}.")
        return (low, high)
    if op == "contains":
        return checks.text(value, f"The value of {where}")
    return _scalar(kind, value, where)


def _scalar(kind: str, value: Any, where: str) -> Any:
    if kind == "number":
        return checks.number(value, f"The value of {where}")
    if kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidScheme(f"The value of {where} must be true or false, got {value!r}.")
        return value
    if kind == "date":
        try:
            pd.Timestamp(checks.text(value, f"The value of {where}"))
        except ValueError as error:
            message = f"The value of {where} must be a date like 2024-12-31, got {value!r}."
            raise InvalidScheme(message) from error
        return value.strip()
    if not isinstance(value, str):
        raise InvalidScheme(f"The value of {where} must be text, got {value!r}.")
    return value


def _comparable(kind: str, value: Any) -> Any:
    return pd.Timestamp(value) if kind == "date" else value
