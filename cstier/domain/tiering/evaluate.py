"""Evaluate any scheme over a frame of accounts: one tier and explanation per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cstier.domain.tiering.bands import evaluate_bands
from cstier.domain.tiering.needs import evaluate_needs
from cstier.domain.tiering.percentiles import evaluate_percentiles
from cstier.domain.tiering.rules import evaluate_rules, evaluate_static, require_columns
from cstier.domain.tiering.schemes import (
    BandScheme,
    NeedsScheme,
    PercentileScheme,
    RuleScheme,
    Scheme,
    StaticScheme,
)

_EVALUATORS = {
    BandScheme: evaluate_bands,
    PercentileScheme: evaluate_percentiles,
    NeedsScheme: evaluate_needs,
    RuleScheme: evaluate_rules,
    StaticScheme: evaluate_static,
}


def evaluate(scheme: Scheme, accounts: pd.DataFrame, explain: bool = True) -> pd.DataFrame:
    """Return account_id, tier, explanation and score, indexed like `accounts`.

    `score` is the number the tier was cut on (adjusted ARR, needs score); it is
    NaN where the tier came from a flag, a default or a segment. With `explain`
    off the explanation column is left out (see `explain_rows`).
    """
    require_columns(accounts, {"account_id"} | input_columns(scheme))
    return _EVALUATORS[type(scheme)](scheme, accounts, explain)


def explain_rows(scheme: Scheme, accounts: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """Return the explanations of the rows at `positions`, as `evaluate` would give them.

    Bands, needs scores and rules explain a row from that row alone, so only those rows
    are evaluated; a percentile cut depends on every account, so it evaluates them all.
    """
    if not explains_alone(scheme):
        return evaluate(scheme, accounts)["explanation"].to_numpy(object)[positions]
    # Only the scheme's columns: a run's book holds every scheme's inputs, and taking them
    # all for these rows is wasted work.
    inputs = sorted(input_columns(scheme) - {"account_id"})
    columns = accounts.columns.get_indexer(["account_id", *inputs])
    taken = accounts.iloc[positions, columns] if (columns >= 0).all() else accounts.iloc[positions]
    return evaluate(scheme, taken)["explanation"].to_numpy(object)


def explains_alone(scheme: Scheme) -> bool:
    """Tell whether a row's tier is explained by that row alone (not by a cut over every account)."""
    return not isinstance(scheme, PercentileScheme)


def input_columns(scheme: Scheme) -> set[str]:
    """Return the account columns a scheme reads, so callers load only those."""
    if isinstance(scheme, BandScheme | PercentileScheme):
        measure = scheme.measure
        extra = [measure.expansion, measure.strategic_flag]
        return {measure.field} | {part.field for part in extra if part is not None}
    if isinstance(scheme, NeedsScheme):
        return {component.field for component in scheme.components}
    if isinstance(scheme, RuleScheme):
        return {c.field for rule in scheme.rules for c in rule.conditions}
    return set()
