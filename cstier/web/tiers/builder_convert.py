"""Convert between the rule builder's form and the JSON definition the engine parses."""

from typing import Any

from werkzeug.datastructures import MultiDict

from cstier.web.tiers.builder_forms import BuilderForm, parse_mapping, set_choices

HEADER = ("name", "goal", "kpi", "default")


def build_form(definition: dict[str, Any], catalog: dict[str, str]) -> BuilderForm:
    """Return a builder form filled from a scheme definition."""
    form = BuilderForm(formdata=MultiDict(definition_to_formdata(definition)))
    set_choices(form, catalog)
    return form


def definition_to_formdata(definition: dict[str, Any]) -> dict[str, str]:
    """Flatten a definition into the builder's form field names."""
    data = {key: _text(definition.get(key, "")) for key in HEADER}
    data["dimension"] = definition.get("dimension", "segment")
    data["method"] = definition.get("method", _default_method(data["dimension"]))
    data["field"] = definition.get("field", "arr")
    data["label"] = definition.get("label", "")
    expansion = definition.get("expansion") or {}
    data["expansion_field"] = expansion.get("field", "")
    data["expansion_weight"] = _text(expansion.get("weight", ""))
    flag = definition.get("strategic_flag") or {}
    data["flag_field"] = flag.get("field", "")
    data["flag_tier"] = flag.get("tier", "")
    data["hysteresis"] = ""
    for kind, value in (definition.get("hysteresis") or {}).items():
        data["hysteresis"], data["hysteresis_value"] = kind, _text(value)
    for i, band in enumerate(definition.get("bands") or []):
        data |= _row(f"bands-{i}", band, ("tier", "min", "max"))
    for i, share in enumerate(definition.get("percentiles") or []):
        data |= _row(f"percentiles-{i}", share, ("tier", "share"))
    for i, component in enumerate(definition.get("components") or []):
        data |= _row(f"components-{i}", component, ("name", "field", "weight", "min", "max"))
        mapping = component.get("mapping") or {}
        data[f"components-{i}-mapping"] = ", ".join(f"{k}={_text(v)}" for k, v in mapping.items())
        if component.get("invert"):
            data[f"components-{i}-invert"] = "y"
    for i, threshold in enumerate(definition.get("thresholds") or []):
        data |= _row(f"thresholds-{i}", threshold, ("tier", "min"))
    for i, rule in enumerate(definition.get("rules") or []):
        data |= _row(f"rules-{i}", rule, ("name", "tier"))
        data[f"rules-{i}-match"] = rule.get("match", "all")
        for j, condition in enumerate(rule.get("conditions") or []):
            data |= _row(f"rules-{i}-conditions-{j}", condition, ("field", "op", "value"))
    return data


def _default_method(dimension: str) -> str:
    return {"value": "bands", "needs": "score"}.get(dimension, "rules")


def _row(prefix: str, raw: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    return {f"{prefix}-{key}": _text(raw.get(key, "")) for key in keys}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def form_to_definition(form: BuilderForm, catalog: dict[str, str]) -> dict[str, Any]:
    """Return the JSON definition the form describes (it may still be invalid)."""
    method = form.method.data
    definition: dict[str, Any] = {"dimension": form.dimension.data, "name": form.name.data}
    _put(definition, "goal", form.goal.data)
    _put(definition, "kpi", form.kpi.data)
    definition["method"] = method
    if method in ("bands", "percentiles"):
        definition |= _value_measure(form)
    if method == "bands":
        definition["bands"] = [_band(e.form) for e in form.bands]
    elif method == "percentiles":
        definition["percentiles"] = [
            {"tier": e.form.tier.data, "share": _number(e.form.share.data)}
            for e in form.percentiles
        ]
    elif method == "score":
        definition["components"] = [_component(e.form) for e in form.components]
        definition["thresholds"] = [_threshold(e.form) for e in form.thresholds]
    elif method == "rules":
        definition["rules"] = [_rule(e.form, catalog) for e in form.rules]
    if form.hysteresis.data and form.hysteresis_value.data is not None:
        value = form.hysteresis_value.data
        definition["hysteresis"] = {
            form.hysteresis.data: int(value) if form.hysteresis.data == "runs" else _number(value)
        }
    _put(definition, "default", form.default.data)
    return definition


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        target[key] = value.strip() if isinstance(value, str) else value


def _number(value: float | None) -> float | int | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _value_measure(form: BuilderForm) -> dict[str, Any]:
    measure: dict[str, Any] = {"field": form.field.data}
    _put(measure, "label", form.label.data)
    if form.expansion_field.data:
        measure["expansion"] = {
            "field": form.expansion_field.data,
            "weight": _number(form.expansion_weight.data),
        }
    if form.flag_field.data:
        measure["strategic_flag"] = {"field": form.flag_field.data}
        _put(measure["strategic_flag"], "tier", form.flag_tier.data)
    return measure


def _band(row) -> dict[str, Any]:
    band: dict[str, Any] = {"tier": row.tier.data}
    _put(band, "min", _number(row.min.data))
    _put(band, "max", _number(row.max.data))
    return band


def _component(row) -> dict[str, Any]:
    component: dict[str, Any] = {
        "name": row.name.data,
        "field": row.field.data,
        "weight": _number(row.weight.data),
    }
    if (row.mapping.data or "").strip():
        component["mapping"] = parse_mapping(row.mapping.data)
    else:
        component["min"] = _number(row.min.data)
        component["max"] = _number(row.max.data)
    if row.invert.data:
        component["invert"] = True
    return component


def _threshold(row) -> dict[str, Any]:
    threshold: dict[str, Any] = {"tier": row.tier.data}
    _put(threshold, "min", _number(row.min.data))
    return threshold


def _rule(row, catalog: dict[str, str]) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": row.name.data, "tier": row.tier.data}
    if row.match.data == "any":
        rule["match"] = "any"
    rule["conditions"] = [_condition(e.form, catalog) for e in row.conditions]
    return rule


def _condition(row, catalog: dict[str, str]) -> dict[str, Any]:
    field, op, text = row.field.data, row.op.data, (row.value.data or "").strip()
    condition: dict[str, Any] = {"field": field, "op": op}
    kind = catalog.get(field, "text")
    if op in ("in", "not_in", "between"):
        condition["value"] = [_scalar(kind, part.strip()) for part in text.split(",")]
    elif op != "is_empty":
        condition["value"] = text if op == "contains" else _scalar(kind, text)
    return condition


def _scalar(kind: str, text: str) -> Any:
    # Text the field's type cannot read is passed on as is, so the engine names the problem.
    if kind == "number":
        try:
            return _number(float(text))
        except ValueError:
            return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
