"""The app keeps pandas' strings in Python objects, whatever is installed alongside."""

import pandas as pd

from cstier.app import configure_pandas


def test_strings_are_stored_as_python_objects():
    previous = pd.get_option("mode.string_storage")
    pd.set_option("mode.string_storage", "auto")
    try:
        configure_pandas()
        assert pd.get_option("mode.string_storage") == "python"
        assert pd.Series(["Strategic", None]).dtype.storage == "python"
    finally:
        pd.set_option("mode.string_storage", previous)
