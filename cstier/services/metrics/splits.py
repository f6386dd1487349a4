"""What a retention figure can be split by, and each book account's segment on a day.

Tier schemes, the coverage model and the CSM come from their history (as of the period
start); plan, lifecycle stage, region, vertical and custom attributes from their current value.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.metrics import SubscriptionBook, fixed_segments, one_segment, segment_history
from cstier.domain.metrics.retention import Segments
from cstier.models import Account, Company, CoverageModel, CustomAttribute, TierScheme, User
from cstier.services.errors import ValidationFailed
from cstier.store.metric_reads import (
    read_account_field,
    read_coverage_history,
    read_owner_history,
    read_tier_history,
)

TOTAL = "total"
HISTORY_SPLITS = ("coverage_model", "csm")  # and every tier scheme's key
CURRENT_SPLITS = {
    "plan": (Account.plan, None),
    "lifecycle_stage": (Account.lifecycle_stage, None),
    "region": (Company.region, (Company, Account.company_id == Company.id)),
    "vertical": (Company.industry, (Company, Account.company_id == Company.id)),
    "industry": (Company.industry, (Company, Account.company_id == Company.id)),
}
ATTRIBUTE_PREFIX = "attr."


@dataclass(frozen=True)
class Split:
    """A split the user asked for: its key, its label, and whether it reads history."""

    key: str
    label: str
    from_history: bool

    @property
    def basis(self) -> str:
        """Return what the segments are taken from, as views say it."""
        if self.key == TOTAL:
            return "the whole book"
        if self.from_history:
            return "as on each period's start day (from history)"
        return "current values, not as they were in the period"


def valid_splits(session: Session) -> list[str]:
    """Return every key `--by` accepts."""
    schemes = session.scalars(select(TierScheme.key).order_by(TierScheme.key)).all()
    attributes = session.scalars(select(CustomAttribute.key).order_by(CustomAttribute.key)).all()
    fields = [
        *schemes,
        *HISTORY_SPLITS,
        "plan",
        "lifecycle_stage",
        "region",
        "vertical",
        *(ATTRIBUTE_PREFIX + key for key in attributes),
    ]
    return list(dict.fromkeys(fields))  # a segment scheme may share a field's name


def split_choices(session: Session) -> dict[str, str]:
    """Return the total and every valid split, key to the label a chooser shows."""
    schemes = dict(session.execute(select(TierScheme.key, TierScheme.name)).tuples().all())
    attributes = dict(
        session.execute(select(CustomAttribute.key, CustomAttribute.label)).tuples().all()
    )
    choices = {TOTAL: "Total"}
    for key in valid_splits(session):
        if key in schemes:
            choices[key] = schemes[key]
        elif key.startswith(ATTRIBUTE_PREFIX):
            choices[key] = attributes.get(key[len(ATTRIBUTE_PREFIX) :]) or key
        else:
            choices[key] = "CSM" if key == "csm" else key.replace("_", " ").capitalize()
    return choices


def resolve_split(session: Session, by: str | None) -> Split:
    """Return the split named `by` (none: the total); refuse an unknown one, listing the valid."""
    if not by or by == TOTAL:
        return Split(TOTAL, "Total", False)
    scheme = session.scalar(select(TierScheme).where(TierScheme.key == by))
    if scheme is not None:
        return Split(by, scheme.name, True)
    if by in HISTORY_SPLITS:
        return Split(by, by.replace("_", " ").capitalize() if by != "csm" else "CSM", True)
    if by in CURRENT_SPLITS:
        return Split(by, by.replace("_", " ").capitalize(), False)
    if by.startswith(ATTRIBUTE_PREFIX):
        key = by[len(ATTRIBUTE_PREFIX) :]
        label = session.scalar(select(CustomAttribute.label).where(CustomAttribute.key == key))
        if label is not None:
            return Split(by, label, False)
    valid = ", ".join(valid_splits(session))
    raise ValidationFailed(
        f"by: unknown field {by!r}; valid fields are {valid}", {"by": [f"choose one of {valid}"]}
    )


def segments_for(session: Session, split: Split, book: SubscriptionBook) -> Segments:
    """Return the split's segments over the book's accounts."""
    if split.key == TOTAL:
        return one_segment(book)
    read: Callable[[], pd.DataFrame]
    if split.key in CURRENT_SPLITS:
        field, join = CURRENT_SPLITS[split.key]
        current = read_account_field(session, field, join)
        return fixed_segments(book, current["account_id"].to_numpy(), current["label"])
    if split.key.startswith(ATTRIBUTE_PREFIX):
        field = Account.attributes[split.key[len(ATTRIBUTE_PREFIX) :]].as_string()
        current = read_account_field(session, field)
        return fixed_segments(book, current["account_id"].to_numpy(), current["label"])
    if split.key == "coverage_model":
        read, names = (lambda: read_coverage_history(session)), _model_names(session)
    elif split.key == "csm":
        read, names = (lambda: read_owner_history(session)), _csm_names(session)
    else:
        scheme_id = session.scalar(select(TierScheme.id).where(TierScheme.key == split.key))
        read, names = (lambda: read_tier_history(session, scheme_id)), {}
    history = read()
    if split.key == "csm":
        history = _with_unrecorded_owners(session, history)
    labels = history["label"]
    if names:
        labels = labels.astype("string")
        labels = labels.map(names).fillna(labels)
    return segment_history(
        book, history["account_id"].to_numpy(), history["at_seconds"].to_numpy(), labels
    )


def _with_unrecorded_owners(session: Session, history: pd.DataFrame) -> pd.DataFrame:
    """Add the current owner, held since ever, of accounts whose owner has no recorded change.

    Imports and edits set an owner without history; only transfers record one.
    """
    current = read_account_field(session, Account.csm_id)
    current = current[~current["account_id"].isin(history["account_id"])]
    since_ever = pd.DataFrame(
        {
            "account_id": current["account_id"].to_numpy(),
            "at_seconds": np.iinfo(np.int64).min,
            "label": current["label"].astype("string").fillna("").to_numpy(),
        }
    )
    return pd.concat(
        [history[["account_id", "at_seconds", "label"]], since_ever], ignore_index=True
    )


def _model_names(session: Session) -> dict[str, str]:
    return {
        str(i): name for i, name in session.execute(select(CoverageModel.id, CoverageModel.name))
    }


def _csm_names(session: Session) -> dict[str, str]:
    return {str(i): name for i, name in session.execute(select(User.id, User.name))}
