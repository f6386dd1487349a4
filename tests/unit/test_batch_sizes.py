"""Batch sizes come from the app config, with the store's defaults for keys it does not set."""

from cstier.store.sizes import BatchSizes


def test_sizes_default_to_the_store_constants():
    assert BatchSizes.from_config({}) == BatchSizes()


def test_sizes_are_read_from_the_config_keys():
    config = {
        "BOOK_CHUNK_ROWS": 1,
        "TIER_FLUSH_ROWS": 2,
        "IMPORT_CHUNK_ROWS": 3,
        "IMPORT_BULK_ROWS": 4,
        "HEALTH_RANGE_ACCOUNTS": 5,
        "MOVE_CHUNK_ROWS": 6,
    }
    assert BatchSizes.from_config(config) == BatchSizes(
        1, 2, 3, 4, health_range_accounts=5, move_chunk_rows=6
    )
