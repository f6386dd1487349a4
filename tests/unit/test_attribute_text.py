"""Custom attribute values read as people write them."""

import pytest

from cstier.domain.attribute_text import attribute_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "yes"),
        (False, "no"),
        (4.0, "4"),
        (4.5, "4.5"),
        (7, "7"),
        ("Gold", "Gold"),
        (None, ""),
        (float("nan"), "nan"),
    ],
)
def test_attribute_text(value, text):
    assert attribute_text(value) == text
