"""The tiering engine: schemes as data, evaluated column-wise over account frames."""

from cstier.domain.tiering.align import row_positions
from cstier.domain.tiering.defaults import DEFAULT_FIELDS, DEFAULT_SCHEMES
from cstier.domain.tiering.diff import diff_tiers, movement_matrix
from cstier.domain.tiering.evaluate import evaluate, explain_rows, explains_alone, input_columns
from cstier.domain.tiering.hysteresis import apply_hysteresis
from cstier.domain.tiering.overrides import apply_overrides
from cstier.domain.tiering.parse import parse_scheme
from cstier.domain.tiering.schemes import (
    Band,
    BandScheme,
    Condition,
    Expansion,
    Hysteresis,
    InvalidScheme,
    NeedsComponent,
    NeedsScheme,
    PercentileScheme,
    Rule,
    RuleScheme,
    Scheme,
    Share,
    StaticScheme,
    StrategicFlag,
    ValueMeasure,
)

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_SCHEMES",
    "Band",
    "BandScheme",
    "Condition",
    "Expansion",
    "Hysteresis",
    "InvalidScheme",
    "NeedsComponent",
    "NeedsScheme",
    "PercentileScheme",
    "Rule",
    "RuleScheme",
    "Scheme",
    "Share",
    "StaticScheme",
    "StrategicFlag",
    "ValueMeasure",
    "apply_hysteresis",
    "apply_overrides",
    "diff_tiers",
    "evaluate",
    "explain_rows",
    "explains_alone",
    "input_columns",
    "movement_matrix",
    "parse_scheme",
    "row_positions",
]
