"""Suggest segments: k-means over picked numeric features, profiled and described as rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from cstier.domain.tiering import evaluate, parse_scheme

MIN_K, MAX_K = 2, 8
UNCLASSIFIED = "Unclassified"
SEED = 0


class InvalidSuggestion(ValueError):
    """Input the clusterer cannot work with; the message says what to change."""


@dataclass(frozen=True)
class ClusterProfile:
    """One proposed segment: its size, ARR and the typical value of each feature."""

    tier: str
    size: int
    arr: float
    means: dict[str, float]
    medians: dict[str, float]


@dataclass(frozen=True)
class Suggestion:
    """Clusters found, their profiles, and a rule-based scheme describing them."""

    features: tuple[str, ...]
    profiles: tuple[ClusterProfile, ...]
    assignment: pd.DataFrame  # account_id, tier (the cluster each account fell in), features
    definition: dict[str, Any]
    agreement: float  # share of accounts the proposed rules put in their own cluster


def suggest_segments(
    book: pd.DataFrame, features: Sequence[str], k: int, *, name: str = "Suggested segments"
) -> Suggestion:
    """Cluster the book into k segments and propose rules that describe each one."""
    features = _check(book, features, k)
    values = book[list(features)].astype(float)
    filled = values.fillna(values.median())
    if len(filled.drop_duplicates()) < k:
        raise InvalidSuggestion(
            f"Only {len(filled.drop_duplicates())} distinct combinations of the features exist; "
            f"pick a smaller k or more features."
        )
    scaled = StandardScaler().fit_transform(filled.to_numpy())
    raw_labels = KMeans(n_clusters=k, random_state=SEED, n_init=10).fit_predict(scaled)
    arr = book["arr"].astype(float).fillna(0) if "arr" in book else pd.Series(0.0, book.index)
    tiers = _tier_names(raw_labels, arr, filled[features[0]], k)
    labels = np.array([tiers[label] for label in raw_labels], dtype=object)
    profiles = tuple(_profile(tier, labels, values, arr) for tier in sorted(set(tiers.values())))
    definition = _definition(name, features, filled, labels, k)
    assignment = pd.DataFrame({"account_id": book["account_id"].to_numpy(), "tier": labels})
    assignment[list(features)] = values.to_numpy()
    return Suggestion(
        features=features,
        profiles=profiles,
        assignment=assignment,
        definition=definition,
        agreement=_agreement(definition, book, features, labels),
    )


def _check(book: pd.DataFrame, features: Sequence[str], k: int) -> tuple[str, ...]:
    picked = tuple(dict.fromkeys(f for f in features if f))
    if not picked:
        raise InvalidSuggestion("Pick at least one numeric feature to cluster on.")
    if not MIN_K <= k <= MAX_K:
        raise InvalidSuggestion(f"k must be between {MIN_K} and {MAX_K}, got {k}.")
    missing = [f for f in picked if f not in book.columns]
    if missing:
        raise InvalidSuggestion(f"Unknown feature {', '.join(missing)}.")
    if len(book) < k:
        raise InvalidSuggestion(
            f"There are {len(book)} accounts, fewer than k = {k}: pick a smaller k."
        )
    empty = [f for f in picked if book[f].astype(float).isna().all()]
    if empty:
        raise InvalidSuggestion(
            f"No account has a value for {', '.join(empty)}: pick features with data."
        )
    return picked


def _tier_names(labels: np.ndarray, arr: pd.Series, first: pd.Series, k: int) -> dict[int, str]:
    # Name clusters by ARR per account, highest first, so names do not depend on
    # k-means' arbitrary label numbers; the first feature breaks ties.
    frame = pd.DataFrame({"label": labels, "arr": arr.to_numpy(), "first": first.to_numpy()})
    means = frame.groupby("label")[["arr", "first"]].mean()
    order = means.sort_values(["arr", "first"], ascending=False, kind="stable").index
    width = len(str(k))
    return {int(label): f"Segment {rank:0{width}d}" for rank, label in enumerate(order, 1)}


def _profile(tier: str, labels: np.ndarray, values: pd.DataFrame, arr: pd.Series) -> ClusterProfile:
    inside = labels == tier
    members = values[inside]
    return ClusterProfile(
        tier=tier,
        size=int(inside.sum()),
        arr=float(arr[inside].sum()),
        means={f: _float(members[f].mean()) for f in values.columns},
        medians={f: _float(members[f].median()) for f in values.columns},
    )


def _float(value: Any) -> float:
    return float("nan") if pd.isna(value) else float(value)


def _definition(
    name: str, features: tuple[str, ...], filled: pd.DataFrame, labels: np.ndarray, k: int
) -> dict[str, Any]:
    tree = _describing_tree(filled.to_numpy(), labels, k)
    rules = _leaf_rules(tree, features, filled.to_numpy())
    return {
        "dimension": "segment",
        "method": "rules",
        "name": name,
        "goal": f"Segments proposed by k-means (k = {k}) over {', '.join(features)}.",
        "kpi": "",
        "rules": rules,
        "default": UNCLASSIFIED,
    }


def _describing_tree(x: np.ndarray, labels: np.ndarray, k: int) -> DecisionTreeClassifier:
    # The smallest tree whose leaves name every cluster reads best as rules.
    tree = None
    for leaves in range(k, 3 * k + 1):
        tree = DecisionTreeClassifier(max_leaf_nodes=leaves, random_state=SEED).fit(x, labels)
        if len(set(tree.predict(x))) == k:
            break
    return tree


def _leaf_rules(
    tree: DecisionTreeClassifier, features: tuple[str, ...], x: np.ndarray
) -> list[dict[str, Any]]:
    structure = tree.tree_
    found: list[tuple[str, dict[str, list[float | None]]]] = []

    def walk(node: int, bounds: dict[str, list[float | None]]) -> None:
        if structure.children_left[node] == -1:
            found.append((str(tree.classes_[np.argmax(structure.value[node])]), bounds))
            return
        feature = features[structure.feature[node]]
        cut = _nice_cut(x[:, structure.feature[node]], structure.threshold[node])
        low, high = bounds.get(feature, [None, None])
        walk(structure.children_left[node], {**bounds, feature: [low, cut]})
        walk(structure.children_right[node], {**bounds, feature: [cut, high]})

    walk(0, {})
    found.sort(key=lambda leaf: leaf[0])
    counts: dict[str, int] = {}
    rules = []
    for tier, bounds in found:
        counts[tier] = counts.get(tier, 0) + 1
        name = tier if counts[tier] == 1 else f"{tier} ({counts[tier]})"
        rules.append({"name": name, "tier": tier, "conditions": _conditions(bounds, features)})
    return rules


def _conditions(
    bounds: dict[str, list[float | None]], features: tuple[str, ...]
) -> list[dict[str, Any]]:
    conditions = []
    for feature in features:
        if feature not in bounds:
            continue
        low, high = bounds[feature]
        if low is not None and high is not None:
            conditions.append({"field": feature, "op": "between", "value": [low, high]})
        elif low is not None:
            conditions.append({"field": feature, "op": "ge", "value": low})
        else:
            conditions.append({"field": feature, "op": "lt", "value": high})
    return conditions


def _nice_cut(column: np.ndarray, threshold: float) -> float | int:
    """Return a round number that splits the observed values exactly where the tree did."""
    below = column[column <= threshold].max()
    above = column[column > threshold].min()
    for digits in range(1, 16):
        candidate = float(f"{threshold:.{digits}g}")
        if below < candidate < above:
            return int(candidate) if candidate.is_integer() else candidate
    return float(threshold)


def _agreement(
    definition: dict[str, Any], book: pd.DataFrame, features: tuple[str, ...], labels: np.ndarray
) -> float:
    scheme = parse_scheme(definition, {feature: "number" for feature in features})
    frame = book[["account_id", *features]].astype({f: float for f in features})
    ruled = evaluate(scheme, frame)["tier"].to_numpy()
    return float((ruled == labels).mean())


def scatter_points(
    assignment: pd.DataFrame, x: str, y: str, limit: int = 1500
) -> dict[str, list[dict[str, float]]]:
    """Return up to about `limit` (x, y) points grouped by segment, evenly spread, for a chart."""
    frame = assignment[["tier", x, y]].dropna()
    sample = frame.iloc[:: max(1, len(frame) // limit)]
    return {
        str(tier): [{"x": float(px), "y": float(py)} for px, py in zip(g[x], g[y], strict=True)]
        for tier, g in sample.groupby("tier")
    }
