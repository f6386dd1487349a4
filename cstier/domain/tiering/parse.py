"""Turn a scheme definition (a JSON dict) into a validated Scheme."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cstier.domain.numbers import NOT_FINITE, is_finite, non_finite_paths
from cstier.domain.tiering import checks
from cstier.domain.tiering.parse_rules import parse_rules
from cstier.domain.tiering.schemes import (
    DIMENSIONS,
    Band,
    BandScheme,
    Expansion,
    Hysteresis,
    InvalidScheme,
    NeedsComponent,
    NeedsScheme,
    PercentileScheme,
    RuleScheme,
    Scheme,
    Share,
    StaticScheme,
    StrategicFlag,
    ValueMeasure,
)
from cstier.domain.tiering.thresholds import parse_bands, parse_thresholds

METHODS = {"value": ("bands", "percentiles"), "needs": ("score",), "segment": ("rules", "static")}


def parse_scheme(definition: dict[str, Any], fields: dict[str, str]) -> Scheme:
    """Validate a scheme definition against the known fields and return it typed."""
    definition = checks.mapping(definition, "The scheme definition")
    # Even numbers the engine ignores are stored, and no store or JSON reader takes NaN.
    if bad := non_finite_paths(definition):
        raise InvalidScheme(f"The scheme definition's {bad[0]} {NOT_FINITE}.")
    dimension = definition.get("dimension")
    if dimension not in DIMENSIONS:
        raise InvalidScheme(f"Dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}.")
    methods = METHODS[dimension]
    method = definition.get("method", methods[0])
    if method not in methods:
        raise InvalidScheme(
            f"Method of a {dimension} scheme must be one of {', '.join(methods)}, got {method!r}."
        )
    info = _info(definition, dimension)
    if method == "bands":
        bands = parse_bands(definition.get("bands"))
        return BandScheme(**_value_info(definition, info, fields, bands), bands=bands)
    if method == "percentiles":
        shares = _shares(definition.get("percentiles"))
        return PercentileScheme(**_value_info(definition, info, fields, shares), shares=shares)
    if method == "score":
        thresholds = parse_thresholds(definition.get("thresholds"))
        info["default"] = _default(definition, thresholds[-1].tier)
        return NeedsScheme(
            **info, components=_components(definition, fields), thresholds=thresholds
        )
    info["default"] = _default(definition, "Other")
    if method == "rules":
        _no_margin(info)
        return RuleScheme(**info, rules=parse_rules(definition.get("rules"), fields))
    _no_margin(info)
    return StaticScheme(**info, members=_members(definition.get("members")))


def _info(definition: Mapping[str, Any], dimension: str) -> dict[str, Any]:
    name = definition.get("name", f"{dimension.title()} tiers")
    return {
        "name": checks.text(name, "The scheme name"),
        "dimension": dimension,
        "goal": _optional_text(definition.get("goal"), "The goal"),
        "kpi": _optional_text(definition.get("kpi"), "The KPI"),
        "hysteresis": _hysteresis(definition.get("hysteresis")),
    }


def _optional_text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidScheme(f"{where} must be text, got {value!r}.")
    return value.strip()


def _default(definition: Mapping[str, Any], fallback: str) -> str:
    return checks.text(definition.get("default", fallback), "The default tier")


def _hysteresis(raw: Any) -> Hysteresis | None:
    if raw is None:
        return None
    raw = checks.mapping(raw, "Hysteresis")
    if ("margin_pct" in raw) == ("runs" in raw):
        raise InvalidScheme("Hysteresis needs exactly one of 'margin_pct' or 'runs'.")
    if "margin_pct" in raw:
        return Hysteresis(margin_pct=checks.number(raw["margin_pct"], "margin_pct", minimum=0))
    runs = raw["runs"]
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InvalidScheme(
            f"Hysteresis 'runs' must be a whole number of at least 1, got {runs!r}."
        )
    return Hysteresis(runs=runs)


def _no_margin(info: Mapping[str, Any]) -> None:
    hysteresis = info["hysteresis"]
    if hysteresis is not None and hysteresis.margin_pct is not None:
        raise InvalidScheme("A margin needs a measured value; segments can only use 'runs'.")


def _value_info(
    definition: Mapping[str, Any],
    info: dict[str, Any],
    fields: Mapping[str, str],
    tiers: tuple[Band, ...] | tuple[Share, ...],
) -> dict[str, Any]:
    field = checks.numeric_field(definition.get("field", "arr"), fields, "the value scheme")
    label = checks.text(definition.get("label", "ARR" if field == "arr" else field), "The label")
    expansion = None
    if definition.get("expansion") is not None:
        raw = checks.mapping(definition["expansion"], "Expansion")
        expansion = Expansion(
            field=checks.numeric_field(raw.get("field"), fields, "the expansion"),
            weight=checks.number(raw.get("weight"), "The expansion weight", minimum=0),
        )
    flag = None
    if definition.get("strategic_flag") is not None:
        raw = checks.mapping(definition["strategic_flag"], "Strategic flag")
        kind = checks.field_kind(raw.get("field"), fields, "the strategic flag")
        if kind != "boolean":
            raise InvalidScheme(f"The strategic flag field '{raw['field']}' must be boolean.")
        tier = checks.text(raw.get("tier", tiers[0].tier), "The strategic flag tier")
        flag = StrategicFlag(field=raw["field"].strip(), tier=tier)
    measure = ValueMeasure(field=field, label=label, expansion=expansion, strategic_flag=flag)
    return {**info, "measure": measure, "default": _default(definition, tiers[-1].tier)}


def _shares(raw_shares: Any) -> tuple[Share, ...]:
    shares = tuple(
        Share(
            tier=checks.text(checks.mapping(raw, f"Percentile {i}").get("tier"), f"Tier {i}"),
            share=checks.number(raw.get("share"), f"The share of percentile {i}", minimum=0),
        )
        for i, raw in enumerate(checks.items(raw_shares, "The percentile list"), start=1)
    )
    checks.unique_names((share.tier for share in shares), "tier")
    total = sum(share.share for share in shares)
    if not math.isclose(total, 100.0, abs_tol=1e-6):
        listed = ", ".join(f"{share.tier} {share.share:g}" for share in shares)
        raise InvalidScheme(
            f"Percentile shares add up to {total:g} %, they must add up to 100 % ({listed})."
        )
    return shares


def _components(
    definition: Mapping[str, Any], fields: Mapping[str, str]
) -> tuple[NeedsComponent, ...]:
    raws = checks.items(definition.get("components"), "The needs component list")
    components = tuple(
        _component(checks.mapping(raw, f"Component {i}"), i, fields)
        for i, raw in enumerate(raws, 1)
    )
    checks.unique_names((component.name for component in components), "component")
    if not any(component.weight > 0 for component in components):
        raise InvalidScheme("All needs weights are zero: give at least one component a weight.")
    return components


def _component(raw: Mapping[str, Any], i: int, fields: Mapping[str, str]) -> NeedsComponent:
    where = f"needs component {i}"
    kind = checks.field_kind(raw.get("field"), fields, where)
    field = raw["field"].strip()
    name = checks.text(raw.get("name", field), f"The name of {where}")
    where = f"needs component '{name}'"
    weight = checks.number(raw.get("weight"), f"The weight of {where}", minimum=0)
    invert = raw.get("invert", False)
    if not isinstance(invert, bool):
        raise InvalidScheme(f"'invert' of {where} must be true or false.")
    if raw.get("mapping") is not None:
        table = {
            _mapping_key(kind, key, where): checks.number(
                score, f"The mapped score of '{key}' in {where}"
            )
            for key, score in checks.mapping(raw["mapping"], f"The mapping of {where}").items()
        }
        if not table or not all(0 <= score <= 1 for score in table.values()):
            raise InvalidScheme(f"The mapping of {where} needs scores between 0 and 1.")
        return NeedsComponent(name=name, field=field, weight=weight, mapping=table, invert=invert)
    checks.numeric_field(field, fields, where)
    low = checks.number(raw.get("min"), f"The min of {where}")
    high = checks.number(raw.get("max"), f"The max of {where}")
    if low >= high:
        raise InvalidScheme(f"The min of {where} ({low:g}) must be below its max ({high:g}).")
    return NeedsComponent(name=name, field=field, weight=weight, min=low, max=high, invert=invert)


def _mapping_key(kind: str, key: str, where: str) -> Any:
    # JSON object keys are always text; read them back in the field's own type.
    if kind == "number":
        if not is_finite(key):
            raise InvalidScheme(f"Mapping key '{key}' of {where} must be a finite number.")
        return float(key)
    if kind == "boolean":
        if key.lower() not in ("true", "false"):
            raise InvalidScheme(f"Mapping key '{key}' of {where} must be true or false.")
        return key.lower() == "true"
    return key


def _members(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        pairs = [(key, tier) for key, tier in raw.items()]
    else:
        pairs = [
            (checks.mapping(item, "A member").get("account_id"), item.get("tier"))
            for item in checks.items(raw, "The member list")
        ]
    if not pairs:
        raise InvalidScheme("The member list is empty: add at least one account.")
    members: dict[str, str] = {}
    for account_id, tier in pairs:
        if account_id is None or str(account_id).strip() == "":
            raise InvalidScheme("Every member needs an account_id.")
        key = str(account_id).strip()
        tier = checks.text(tier, f"The tier of account {key}")
        if members.get(key, tier) != tier:
            raise InvalidScheme(f"Account {key} is listed in two tiers: {members[key]} and {tier}.")
        members[key] = tier
    return members
