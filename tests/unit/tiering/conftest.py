"""Shared fields and frame builders for the tiering engine tests."""

import pandas as pd
import pytest

FIELDS = {
    "arr": "number",
    "expansion_potential": "number",
    "is_strategic": "boolean",
    "employees": "number",
    "region": "text",
    "industry": "text",
    "renewal_date": "date",
    "attr.tech_stack": "text",
    "attr.plan": "choice",
    "needs_count": "number",
    "seats": "number",
    "complexity": "text",
}


@pytest.fixture
def fields():
    return dict(FIELDS)


def accounts(**columns):
    """Build an accounts frame with ids 1..n next to the given columns."""
    size = len(next(iter(columns.values())))
    return pd.DataFrame({"account_id": range(1, size + 1), **columns})
