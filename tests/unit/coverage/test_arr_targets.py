"""Implied ARR targets: ratio × a model's mean ARR, from the frames or given by the caller."""

import pandas as pd

from cstier.domain.coverage.loads import arr_targets
from tests.unit.coverage.conftest import HIGH, POOLED, TECH, account_frame, book_frame


def test_implied_targets_come_from_the_mean_arr_of_book_and_accounts(models):
    book = book_frame([(1, 10, POOLED, 1_000_00), (2, 10, POOLED, 3_000_00)])
    accounts = account_frame([(3, TECH, "EMEA", "Retail", 500_00, None)])
    targets = arr_targets(models, book, accounts)
    assert targets[HIGH] == 5_000_000_00  # explicit
    assert targets[POOLED] == 2_000_00 * 300
    assert targets[TECH] == 500_00 * 2000


def test_a_given_mean_arr_replaces_the_one_of_the_frames(models):
    # A caller that passes only the owned book gives the whole book's means instead.
    owned = book_frame([(1, 10, POOLED, 1_000_00)])
    mean_arr = pd.Series({POOLED: 4_000_00.0, HIGH: 1.0})
    targets = arr_targets(models, owned, account_frame([]), mean_arr)
    assert targets[POOLED] == 4_000_00 * 300
    assert targets[HIGH] == 5_000_000_00  # an explicit target wins over any mean
    assert TECH not in targets  # no accounts in the model: no implied target


def test_an_account_in_both_book_and_accounts_counts_once(models):
    # A flagged account is owned (in the book) and being placed (in the accounts).
    book = book_frame([(1, 10, POOLED, 1_000_00), (2, 10, POOLED, 3_000_00)])
    accounts = account_frame([(2, POOLED, "EMEA", "Retail", 3_000_00, 10)])
    assert arr_targets(models, book, accounts)[POOLED] == 2_000_00 * 300
