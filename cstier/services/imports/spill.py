"""Keep the validated chunks of the first pass on disk, so the second pass does not parse the file again."""

import pickle
import tempfile
from collections.abc import Iterable, Iterator

import pandas as pd


class Spill:
    """Typed chunks pickled one after another into an anonymous temporary file."""

    def __init__(self) -> None:
        # Open for the whole import: run.py closes it in its finally clause.
        self._file = tempfile.TemporaryFile(prefix="cstier-import-")  # noqa: SIM115
        self.chunks = 0

    def keep(self, typed: Iterable[tuple[pd.DataFrame, object]]) -> Iterator[tuple]:
        """Pass (typed chunk, errors) pairs through, writing each chunk down on the way."""
        for pair in typed:
            pickle.dump(pair[0], self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunks += 1
            yield pair

    def replay(self) -> Iterator[pd.DataFrame]:
        """Yield the kept chunks in file order; memory holds one chunk at a time."""
        self._file.seek(0)
        for _ in range(self.chunks):
            yield pickle.load(self._file)

    def close(self) -> None:
        """Delete the file."""
        self._file.close()
