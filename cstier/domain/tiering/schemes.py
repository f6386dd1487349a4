"""Tier schemes as typed, validated values (built from JSON by `parse_scheme`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS = ("value", "needs", "segment")


class InvalidScheme(ValueError):
    """A scheme definition the user must fix; the message says how."""


@dataclass(frozen=True)
class Band:
    """A half-open interval [min, max) of a measure mapped to one tier."""

    tier: str
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Share:
    """A slice of accounts, as a percentage of the ranking, mapped to one tier."""

    tier: str
    share: float


@dataclass(frozen=True)
class Expansion:
    """Raise ARR by `weight * potential` so expansion upside counts as value."""

    field: str
    weight: float


@dataclass(frozen=True)
class StrategicFlag:
    """A boolean column that forces accounts into `tier` whatever their value."""

    field: str
    tier: str


@dataclass(frozen=True)
class ValueMeasure:
    """The number value tiers are cut on: ARR, optionally adjusted for expansion."""

    field: str = "arr"
    label: str = "ARR"
    expansion: Expansion | None = None
    strategic_flag: StrategicFlag | None = None


@dataclass(frozen=True)
class Hysteresis:
    """Damp tier flapping: by a margin around boundaries or by consecutive runs."""

    margin_pct: float | None = None
    runs: int | None = None


@dataclass(frozen=True)
class NeedsComponent:
    """One input of the needs score, normalised to 0..1 by range or by mapping."""

    name: str
    field: str
    weight: float
    min: float | None = None
    max: float | None = None
    mapping: Mapping[Any, float] | None = None
    invert: bool = False


@dataclass(frozen=True)
class Condition:
    """One test on a column, e.g. `employees ge 2000`; `kind` is the field type."""

    field: str
    op: str
    value: Any
    kind: str


@dataclass(frozen=True)
class Rule:
    """Conditions joined by all/any; the first matching rule sets the tier."""

    name: str
    tier: str
    match: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True)
class SchemeInfo:
    """What every scheme carries: identity, purpose and how it is measured."""

    name: str
    dimension: str
    goal: str = ""
    kpi: str = ""
    hysteresis: Hysteresis | None = None
    default: str


@dataclass(frozen=True, kw_only=True)
class BandScheme(SchemeInfo):
    """Value tiers by fixed ARR bands, listed top tier first."""

    measure: ValueMeasure = field(default_factory=ValueMeasure)
    bands: tuple[Band, ...]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Return tier names, top tier first."""
        return tuple(band.tier for band in self.bands)


@dataclass(frozen=True, kw_only=True)
class PercentileScheme(SchemeInfo):
    """Value tiers by rank: top N %, next M %, … listed top tier first."""

    measure: ValueMeasure = field(default_factory=ValueMeasure)
    shares: tuple[Share, ...]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Return tier names, top tier first."""
        return tuple(share.tier for share in self.shares)


@dataclass(frozen=True, kw_only=True)
class NeedsScheme(SchemeInfo):
    """Needs tiers by a weighted 0–100 score cut at thresholds (top tier first)."""

    components: tuple[NeedsComponent, ...]
    thresholds: tuple[Band, ...]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Return tier names, top tier first."""
        return tuple(band.tier for band in self.thresholds)


@dataclass(frozen=True, kw_only=True)
class RuleScheme(SchemeInfo):
    """Segments by ordered rules; the default applies when no rule matches."""

    rules: tuple[Rule, ...]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Return distinct tier names in rule order, the default last."""
        return tuple(dict.fromkeys([*(rule.tier for rule in self.rules), self.default]))


@dataclass(frozen=True, kw_only=True)
class StaticScheme(SchemeInfo):
    """Segments by a hand-picked list: account id (as text) → tier."""

    members: Mapping[str, str]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Return distinct tier names in listing order, the default last."""
        return tuple(dict.fromkeys([*self.members.values(), self.default]))


Scheme = BandScheme | PercentileScheme | NeedsScheme | RuleScheme | StaticScheme
ScoredScheme = BandScheme | PercentileScheme | NeedsScheme
