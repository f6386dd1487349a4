"""Find parent cycles (A's parent is B, B's parent is A) by pointer jumping over whole columns."""

import numpy as np
import pandas as pd

ARROW = " → "
SHOWN = 8  # companies named in a reason before the path is shortened


def cycle_edges(parents: pd.Series) -> pd.Series:
    """Return the part of a child -> parent mapping whose children lie on a cycle.

    parents is indexed by child (first occurrence wins) and holds the parent, NA for none.
    Any hashable labels work: external ids, or their hashes.
    """
    parents = parents[~parents.index.duplicated()].dropna()
    if parents.empty:
        return parents
    codes, labels = pd.factorize(pd.concat([pd.Series(parents.index), parents], ignore_index=True))
    size = len(labels)
    children, targets = codes[: len(parents)], codes[len(parents) :]
    # Every label is a node; a node without a parent points at the sentinel, which points at itself.
    step = np.full(size + 1, size, dtype=np.int64)
    step[children] = targets
    # After 2**k >= size jumps every node has left its tail: it sits on a cycle or at the sentinel,
    # and every node of a cycle is reached (from itself), so the landing places are the cycles.
    jump = step
    for _ in range(int(np.ceil(np.log2(size + 1))) + 1):
        jump = jump[jump]
    on_cycle = np.zeros(size + 1, dtype=bool)
    on_cycle[jump] = True
    on_cycle[size] = False
    return parents[on_cycle[children]]


def cycle_reasons(edges: pd.Series, shown: int = SHOWN) -> pd.Series:
    """Return 'parent cycle: A → B → A' for every child of cycle edges, its own name first.

    edges maps child -> parent for nodes on cycles only (what cycle_edges returns, in names).
    Long cycles are shortened to their first names and their length.
    """
    if edges.empty:
        return pd.Series(dtype=object)
    start = pd.Series(edges.index, index=edges.index, dtype=object)
    path, node = start.astype(str), start
    length = pd.Series(0, index=edges.index)
    closed = pd.Series(False, index=edges.index)
    for steps in range(1, shown + 1):
        node = node.map(edges)
        path = path.where(closed, path + ARROW + node.astype(str))
        newly = ~closed & (node == start)
        length[newly] = steps
        closed |= newly
        if closed.all():
            break
    open_ = ~closed
    if open_.any():
        sizes = _cycle_sizes(edges)
        path[open_] = (
            path[open_]
            + ARROW
            + "…"
            + ARROW
            + start[open_].astype(str)
            + " ("
            + sizes[open_].astype(str)
            + " companies)"
        )
    return "parent cycle: " + path


def _cycle_sizes(edges: pd.Series) -> pd.Series:
    """Return the number of nodes on each child's cycle (edges hold cycle nodes only)."""
    codes, labels = pd.factorize(pd.concat([pd.Series(edges.index), edges], ignore_index=True))
    count = len(edges)
    step = np.empty(len(labels), dtype=np.int64)
    step[codes[:count]] = codes[count:]
    # Label each cycle by its smallest node: a running minimum over doubling jumps.
    smallest, jump = np.arange(len(labels)), step
    for _ in range(int(np.ceil(np.log2(len(labels) + 1))) + 1):
        smallest = np.minimum(smallest, smallest[jump])
        jump = jump[jump]
    cycle = pd.Series(smallest[codes[:count]], index=edges.index)
    return cycle.map(cycle.value_counts())
