"""Why an assignment is refused: inactive owner, model not served, past the hard capacity limit."""

from dataclasses import dataclass

import pandas as pd

from cstier.domain.coverage.layouts import account_units


@dataclass(frozen=True)
class Refusal:
    """One reason to refuse an assignment; a manager may override the overridable ones."""

    code: str
    message: str
    overridable: bool = True
    # The accounts the refusal is about; empty when it is about the whole batch (the owner,
    # the capacity), so a manager can see which accounts to leave out.
    account_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Target:
    """The CSM an assignment goes to, with what the check needs to know about them."""

    csm_id: int
    name: str
    role: str
    active: bool
    fte: float
    model_ids: frozenset[int]


def owner_refusals(target: Target) -> list[Refusal]:
    """Refuse users who cannot own a book; inactive CSMs only with an override."""
    if target.role != "csm":
        return [Refusal("not_csm", f"{target.name} is not a CSM.", overridable=False)]
    if not target.active:
        return [Refusal("inactive", f"{target.name} is inactive.")]
    return []


def model_refusals(target: Target, batch: pd.DataFrame, names: dict[int, str]) -> list[Refusal]:
    """Refuse accounts whose coverage model the CSM does not serve (directly or by pool)."""
    modelled = batch["coverage_model_id"].dropna().astype("int64")
    missing = sorted(set(modelled) - set(target.model_ids))
    if not missing:
        return []
    counts = modelled[modelled.isin(missing)].value_counts()
    listed = ", ".join(f"{names.get(m, m)} ({counts[m]} accounts)" for m in missing)
    refused = batch.loc[modelled.index[modelled.isin(missing)], "account_id"]
    return [
        Refusal(
            "model_not_served",
            f"{target.name} does not serve {listed}.",
            account_ids=tuple(int(a) for a in refused),
        )
    ]


def capacity_refusals(
    target: Target, book: pd.DataFrame, batch: pd.DataFrame, models: pd.DataFrame
) -> list[Refusal]:
    """Refuse a batch that takes the CSM's load past the tightest hard limit of its models.

    `book` is what the CSM owns besides the batch; loads are FTE shares as on the capacity page.
    """
    modelled = batch[batch["coverage_model_id"].notna()]
    if modelled.empty or target.fte <= 0:
        return []
    before = account_units(book[book["coverage_model_id"].notna()], models)
    added = account_units(modelled, models)
    count_pct = (before["count_units"].sum() + added["count_units"].sum()) / target.fte * 100
    arr_pct = (before["arr_units"].sum() + added["arr_units"].sum()) / target.fte * 100
    limits = models.set_index("coverage_model_id")["hard_limit_pct"]
    limit = float(limits.reindex(modelled["coverage_model_id"].astype("int64").unique()).min())
    worst = max(count_pct, arr_pct)
    if worst <= limit + 1e-9:
        return []
    measure = "ARR" if arr_pct > count_pct else "accounts"
    return [
        Refusal(
            "over_hard_limit",
            f"{target.name} would be at {worst:.0f}% of target by {measure}, "
            f"past the hard limit of {limit:.0f}%.",
        )
    ]


def refusals(
    target: Target,
    book: pd.DataFrame,
    batch: pd.DataFrame,
    models: pd.DataFrame,
) -> list[Refusal]:
    """Return every reason to refuse giving the batch of accounts to the target CSM."""
    names = models.set_index("coverage_model_id")["name"].to_dict()
    found = owner_refusals(target)
    if any(not r.overridable for r in found):
        return found
    return (
        found
        + model_refusals(target, batch, names)
        + capacity_refusals(target, book, batch, models)
    )


def blocking(found: list[Refusal], override_reason: str | None) -> list[Refusal]:
    """Return the refusals that still stand: all of them, or only hard ones under an override."""
    if override_reason and override_reason.strip():
        return [r for r in found if not r.overridable]
    return found
