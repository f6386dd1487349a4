"""The suggestions page says what accepting did, in the singular when there is one."""

import pytest

from cstier.web.coverage.suggest_views import accepted_message


@pytest.mark.parametrize(
    ("applied", "kept", "message"),
    [
        (1, 0, "Accepted 1 proposal."),
        (2, 0, "Accepted 2 proposals."),
        (0, 1, "Accepted 0 proposals; 1 account keeps its owner."),
        (3, 2, "Accepted 3 proposals; 2 accounts keep their owner."),
    ],
)
def test_accepted_message(applied, kept, message):
    assert accepted_message(applied, kept) == message
