"""Find rows that repeat a key within one file, holding only a hash per row in memory."""

import numpy as np
import pandas as pd


def key_hashes(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """Return a 64-bit hash of each row's key, indexed by row number (valid within one process)."""
    text = key_text(frame, key) if len(key) > 1 else frame[key[0]].astype(str)
    cells = text.to_numpy(dtype=object)  # a numpy array iterates in C, a Series cell by cell
    values = np.fromiter(map(hash, cells), dtype=np.int64, count=len(cells))
    return pd.Series(values, index=frame.index)


def repeated_hashes(hashes: pd.Series) -> set[int]:
    """Return the hashes that occur on more than one row."""
    return set(hashes[hashes.duplicated(keep=False)].unique().tolist())


def key_text(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """Return each row's key as one readable string."""
    parts = frame[list(key)].astype("string").fillna("")
    text = parts.iloc[:, 0]
    for name in parts.columns[1:]:
        text = text + " / " + parts[name]
    return text
