"""A scorecard as data: weighted measures, each mapping one input to 0-100 points."""

import math
import re
from dataclasses import dataclass
from typing import Any

from cstier.domain.invalid import FieldInvalid

BANDS = ("red", "yellow", "green")
INSUFFICIENT = "insufficient"
SCOPES = ("default", "coverage_model", "value_tier")
# Named inputs besides usage.<metric>, usage.<metric>.trend and attr.<key>.
NAMED_INPUTS = {
    "onboarding": "onboarding status as points (completed 100, on track 75, at risk 40, stalled 0)",
    "days_since_touch": "days since the last touch",
    "cadence_kept": "100 when the coverage model's cadence was kept, else 0",
    "renewal_days": "days until the renewal date",
}
ONBOARDING_POINTS = {"completed": 100.0, "on_track": 75.0, "at_risk": 40.0, "stalled": 0.0}
_INPUT = re.compile(r"^(usage\.[a-z0-9_]+(\.trend)?|attr\.[a-z0-9_]+)$")


class ScorecardInvalid(FieldInvalid):
    """A scorecard definition breaks a rule; `field` names where."""


@dataclass(frozen=True)
class Measure:
    """One weighted input and how it maps to points: linear (from → 0, to → 100) or bands."""

    key: str
    label: str
    input: str
    weight: float
    kind: str  # linear, bands
    low: float = 0.0  # linear: the input worth 0 points
    high: float = 100.0  # linear: the input worth 100 points (may be below low)
    bands: tuple[tuple[float, float], ...] = ()  # (at least, points), ascending


@dataclass(frozen=True)
class Scorecard:
    """Measures whose weights sum to 100, the coverage needed and the band thresholds."""

    measures: tuple[Measure, ...]
    min_coverage: float = 0.6
    red_below: float = 40.0
    green_at: float = 70.0
    hysteresis: float = 5.0


def _number(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScorecardInvalid(field, "must be a number") from None
    if not math.isfinite(number):
        raise ScorecardInvalid(field, "must be a finite number")
    return number


def _measure(raw: dict, at: str) -> Measure:
    if not isinstance(raw, dict):
        raise ScorecardInvalid(at, "must be an object")
    key = str(raw.get("key") or "").strip()
    if not re.match(r"^[a-z0-9_]{1,40}$", key):
        raise ScorecardInvalid(f"{at}.key", "use 1-40 lowercase letters, digits or _")
    source = str(raw.get("input") or "").strip()
    if source not in NAMED_INPUTS and not _INPUT.match(source):
        raise ScorecardInvalid(
            f"{at}.input",
            f"unknown input {source!r}; use usage.<metric>, usage.<metric>.trend, attr.<key> "
            f"or one of {', '.join(NAMED_INPUTS)}",
        )
    weight = _number(raw.get("weight"), f"{at}.weight")
    if weight < 0:
        raise ScorecardInvalid(f"{at}.weight", "must not be negative")
    kind = raw.get("kind", "linear")
    label = str(raw.get("label") or key)
    if kind == "linear":
        low = _number(raw.get("low", 0), f"{at}.low")
        high = _number(raw.get("high", 100), f"{at}.high")
        if low == high:
            raise ScorecardInvalid(f"{at}.high", "must differ from low")
        return Measure(key, label, source, weight, kind, low=low, high=high)
    if kind == "bands":
        bands = raw.get("bands") or []
        if not isinstance(bands, list) or not bands:
            raise ScorecardInvalid(f"{at}.bands", "give at least one [at least, points] pair")
        pairs = []
        for i, pair in enumerate(bands):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ScorecardInvalid(f"{at}.bands[{i}]", "must be [at least, points]")
            floor = _number(pair[0], f"{at}.bands[{i}]")
            points = _number(pair[1], f"{at}.bands[{i}]")
            if not 0 <= points <= 100:
                raise ScorecardInvalid(f"{at}.bands[{i}]", "points must be 0 to 100")
            pairs.append((floor, points))
        floors = [p[0] for p in pairs]
        if floors != sorted(floors) or len(set(floors)) != len(floors):
            raise ScorecardInvalid(f"{at}.bands", "thresholds must increase")
        return Measure(key, label, source, weight, kind, bands=tuple(pairs))
    raise ScorecardInvalid(f"{at}.kind", "must be linear or bands")


def parse_scorecard(definition: dict) -> Scorecard:
    """Return the scorecard a definition describes, or raise ScorecardInvalid naming the field."""
    if not isinstance(definition, dict):
        raise ScorecardInvalid("definition", "must be an object")
    raw = definition.get("measures")
    if not isinstance(raw, list) or not raw:
        raise ScorecardInvalid("measures", "give at least one measure")
    measures = tuple(_measure(m, f"measures[{i}]") for i, m in enumerate(raw))
    keys = [m.key for m in measures]
    if len(set(keys)) != len(keys):
        raise ScorecardInvalid("measures", "measure keys must be unique")
    total = sum(m.weight for m in measures)
    if abs(total - 100) > 1e-6:
        raise ScorecardInvalid("weights", f"must sum to 100 %, they sum to {total:g} %")
    min_coverage = _number(definition.get("min_coverage", 0.6), "min_coverage")
    if not 0 <= min_coverage <= 1:
        raise ScorecardInvalid("min_coverage", "must be between 0 and 1")
    red_below = _number(definition.get("red_below", 40), "red_below")
    green_at = _number(definition.get("green_at", 70), "green_at")
    if not 0 < red_below < green_at <= 100:
        raise ScorecardInvalid("green_at", "need 0 < red_below < green_at <= 100")
    hysteresis = _number(definition.get("hysteresis", 5), "hysteresis")
    if not 0 <= hysteresis < (green_at - red_below) / 2:
        raise ScorecardInvalid("hysteresis", "must be at least 0 and under half the yellow band")
    return Scorecard(measures, min_coverage, red_below, green_at, hysteresis)


DEFAULT_SCORECARD: dict = {
    "measures": [
        {"key": "usage_level", "label": "Usage level", "input": "usage.weekly_active_users",
         "weight": 20, "kind": "linear", "low": 0, "high": 50},
        {"key": "usage_trend", "label": "Usage trend", "input": "usage.weekly_active_users.trend",
         "weight": 15, "kind": "bands", "bands": [[-1e9, 0], [-20, 30], [-5, 60], [5, 100]]},
        {"key": "onboarding", "label": "Onboarding", "input": "onboarding", "weight": 10,
         "kind": "linear", "low": 0, "high": 100},
        {"key": "support_load", "label": "Support load", "input": "usage.support_tickets",
         "weight": 10, "kind": "linear", "low": 10, "high": 0},
        {"key": "nps", "label": "NPS", "input": "attr.nps", "weight": 15,
         "kind": "bands", "bands": [[0, 0], [7, 60], [9, 100]]},
        {"key": "last_touch", "label": "Days since last touch", "input": "days_since_touch",
         "weight": 10, "kind": "linear", "low": 120, "high": 14},
        {"key": "cadence", "label": "Cadence kept", "input": "cadence_kept", "weight": 10,
         "kind": "linear", "low": 0, "high": 100},
        {"key": "renewal", "label": "Renewal proximity", "input": "renewal_days", "weight": 10,
         "kind": "linear", "low": 0, "high": 180},
    ],
    "min_coverage": 0.6,
    "red_below": 40,
    "green_at": 70,
    "hysteresis": 5,
}  # fmt: skip


def precedence(scope: str) -> int:
    """Return how a scorecard's scope ranks: coverage model before value tier before default."""
    return {"coverage_model": 0, "value_tier": 1, "default": 2}[scope]
