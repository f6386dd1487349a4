"""How many rows a use case's batch work reads or writes at once, as the app is configured."""

from collections.abc import Mapping

from cstier.store.sizes import BatchSizes


def batch_sizes(config: Mapping) -> BatchSizes:
    """Return the batch sizes the configuration sets; the store's own sizes where it sets none."""
    return BatchSizes.from_config(config)
