"""Parent cycles found by pointer jumping, and the reasons that name them."""

import numpy as np
import pandas as pd
import pytest

from cstier.domain.imports.cycles import cycle_edges, cycle_reasons


def links(pairs: dict) -> pd.Series:
    return pd.Series(list(pairs.values()), index=pd.Index(list(pairs), dtype=object), dtype=object)


@pytest.mark.parametrize(
    ("pairs", "cyclic"),
    [
        ({"A": "B", "B": "A"}, {"A", "B"}),
        ({"A": "B", "B": "C", "C": "A"}, {"A", "B", "C"}),
        ({"A": "A"}, {"A"}),
        ({"A": "B", "B": "C", "C": None}, set()),
        ({"X": "A", "A": "B", "B": "A", "Y": "X"}, {"A", "B"}),  # tails into a cycle are not on it
        ({"A": "B", "B": "A", "C": "D", "D": "E", "E": "C", "F": "G"}, {"A", "B", "C", "D", "E"}),
        ({}, set()),
    ],
    ids=["two", "three", "self", "chain", "tails", "two cycles", "empty"],
)
def test_cycle_edges_keeps_only_the_rows_on_a_cycle(pairs, cyclic):
    assert set(cycle_edges(links(pairs)).index) == cyclic


def test_cycle_edges_works_on_hashes_and_long_chains():
    size = 100_000
    children = np.arange(size, dtype=np.int64) * 7919
    parents = pd.Series(np.roll(children, -1), index=children)  # one cycle through everyone
    parents.iloc[-1] = np.nan  # ... broken at the end: one long chain
    assert cycle_edges(parents).empty
    parents.iloc[-1] = children[size // 2]  # the end points back into the middle
    assert len(cycle_edges(parents)) == size - size // 2


def test_reasons_start_at_each_row():
    reasons = cycle_reasons(cycle_edges(links({"A": "B", "B": "C", "C": "A", "D": "A"})))
    assert reasons.to_dict() == {
        "A": "parent cycle: A → B → C → A",
        "B": "parent cycle: B → C → A → B",
        "C": "parent cycle: C → A → B → C",
    }
    assert cycle_reasons(cycle_edges(links({"A": "A"}))).to_dict() == {"A": "parent cycle: A → A"}


def test_long_cycles_are_shortened_with_their_length():
    names = [f"C{i}" for i in range(20)]
    reasons = cycle_reasons(links(dict(zip(names, names[1:] + names[:1], strict=True))), shown=3)
    assert reasons["C0"] == "parent cycle: C0 → C1 → C2 → C3 → … → C0 (20 companies)"
    assert reasons["C19"] == "parent cycle: C19 → C0 → C1 → C2 → … → C19 (20 companies)"
