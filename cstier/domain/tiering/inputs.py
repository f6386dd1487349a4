"""The input values that decided a move, kept with it, and what changed between two moves."""

import json

import numpy as np
import pandas as pd

from cstier.domain.tiering.evaluate import input_columns
from cstier.domain.tiering.schemes import Scheme


def input_records(scheme: Scheme, accounts: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """Return, for the rows at `positions`, the scheme's input values as one JSON object each.

    Built column by column (a text per distinct value, then joined), not a dict per row:
    a run writes these for every account that moves.
    """
    fields = sorted(input_columns(scheme) - {"account_id"})
    fields = [f for f in fields if f in accounts.columns]
    if not fields:
        return np.full(len(positions), "{}", dtype=object)
    parts = [
        f'"{json.dumps(name)[1:-1]}": ' + _json_values(accounts[name].iloc[positions])
        for name in fields
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ", " + part
    return ("{" + joined + "}").to_numpy(dtype=object)


def _json_values(column: pd.Series) -> pd.Series:
    """Return each value of a column as JSON text (missing values as null)."""
    column = column.reset_index(drop=True)
    missing = column.isna().to_numpy()
    if pd.api.types.is_bool_dtype(column):
        text = column.map({True: "true", False: "false"}).astype(object)
    elif pd.api.types.is_numeric_dtype(column):
        text = pd.Series(np.round(column.to_numpy(dtype=float), 6).astype(str), dtype=object)
    elif pd.api.types.is_datetime64_any_dtype(column):
        text = '"' + column.dt.strftime("%Y-%m-%d").astype(object) + '"'
    else:
        # Texts repeat (categories), so each distinct one is encoded once.
        values = column.astype(object)
        distinct = {v: json.dumps(str(v)) for v in pd.unique(values[~missing])}
        text = values.map(distinct)
    text = text.astype(object)
    text[missing] = "null"
    return text


def read_inputs(text: str | None) -> dict:
    """Return the input values stored with a move (empty when none were stored)."""
    return json.loads(text) if text else {}


def move_cause(
    previous_version: int | None,
    previous_inputs: dict,
    version: int | None,
    inputs: dict,
    field_labels: dict[str, str] | None = None,
) -> str:
    """Say why an account moved: its scheme changed version, its data changed, or both."""
    labels = field_labels or {}
    causes = []
    if previous_version is not None and version is not None and version != previous_version:
        causes.append(f"scheme changed (version {previous_version} → {version})")
    changed = [
        f"{labels.get(name, name)} {_shown(previous_inputs.get(name))} → {_shown(value)}"
        for name, value in inputs.items()
        if name in previous_inputs and previous_inputs.get(name) != value
    ]
    if changed:
        causes.append("data changed: " + "; ".join(changed))
    return ", and ".join(causes)


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)
