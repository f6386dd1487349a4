"""Capacity numbers: per-CSM load, per-model headcount, and headcount for a what-if tiering."""

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.coverage import coverage_for_tiers
from cstier.domain.coverage.book_totals import (
    current_headcount_from_totals,
    headcount_from_totals,
    loads_from_totals,
)
from cstier.domain.coverage.headcount import headcount_for_models
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.tiers import current_tiers


@dataclass
class CapacityReport:
    """Per-CSM loads and per-model headcount, as plain rows for pages, API and reports.

    `csms` is every CSM, or one page of them when a page was asked for: `csm_count` and
    `pages` say how many in all, `chart` holds the first CHART_CSMS of the same order.
    """

    csms: list[dict]
    models: list[dict]
    unassigned: int
    csm_count: int = 0
    page: int = 1
    pages: int = 1
    chart: list[dict] = field(default_factory=list)


CSM_SORTS = ("name", "fte", "accounts", "arr_cents", "load_pct", "arr_load_pct", "load")
CHART_CSMS = 40


def capacity_report(
    session: Session,
    sort: str = "load",
    descending: bool = True,
    page: int | None = None,
    per_page: int = 100,
) -> CapacityReport:
    """Return every CSM's load against target and every model's required vs current headcount.

    CSMs are sorted by any of CSM_SORTS (an unknown key sorts by load), ties by CSM id; with
    `page`, only that page of `per_page` CSMs is returned (a page past the end: the last).
    """
    totals = coverage_reads.book_totals_frame(session)
    csms = coverage_reads.csm_targets_frame(session)
    models = coverage_reads.models_frame(session)
    owned = totals[totals["csm_id"].notna()]
    loads = loads_from_totals(owned, csms, models).merge(
        csms[["csm_id", "name", "active"]], on="csm_id", how="left"
    )
    loads = loads[loads["active"].fillna(False).astype(bool) | (loads["accounts"] > 0)]
    plan = headcount_from_totals(totals, csms, models)
    ordered = _sorted(loads, sort, descending)
    pages = max(1, -(-len(ordered) // per_page))
    shown = ordered
    if page is not None:
        page = min(max(page, 1), pages)
        shown = ordered.iloc[(page - 1) * per_page : page * per_page]
    return CapacityReport(
        csms=_records(shown),
        models=_records(plan),
        unassigned=int(totals.loc[totals["csm_id"].isna(), "accounts"].sum()),
        csm_count=len(ordered),
        page=page or 1,
        pages=pages if page is not None else 1,
        chart=_records(ordered.head(CHART_CSMS)),
    )


def _sorted(loads: pd.DataFrame, sort: str, descending: bool) -> pd.DataFrame:
    column = sort if sort in CSM_SORTS else "load"
    key = loads[column].str.lower() if column == "name" else loads[column]
    order = loads.assign(_key=key).sort_values(
        ["_key", "csm_id"], ascending=[not descending, True], na_position="last", kind="stable"
    )
    return order.drop(columns="_key")


def headcount_for_tiers(
    session: Session, value_tiers: pd.Series, needs_tiers: pd.Series
) -> pd.DataFrame:
    """Return per model the headcount a set of tiers (indexed by account id) would need.

    For the tiering preview: pass the proposed tiers; accounts left out keep their current ones.
    Columns: coverage_model_id, key, name, accounts, arr_cents, by_count, by_arr, required,
    current, gap.
    """
    return _HeadcountInputs.read(session).plan(value_tiers, needs_tiers)


def headcount_now_and_for_tiers(
    session: Session, value_tiers: pd.Series, needs_tiers: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the headcount per model today and with these tiers, reading the book once.

    Both frames have the columns of headcount_for_tiers.
    """
    inputs = _HeadcountInputs.read(session)
    empty = pd.Series(dtype=object)
    return inputs.plan(empty, empty), inputs.plan(value_tiers, needs_tiers)


@dataclass
class _HeadcountInputs:
    """What a headcount plan reads: current tiers, models, the matrix and current FTE."""

    tiers: pd.DataFrame
    models: pd.DataFrame
    matrix: pd.DataFrame
    current: pd.Series

    @classmethod
    def read(cls, session: Session) -> "_HeadcountInputs":
        models = coverage_reads.models_frame(session)
        current = current_headcount_from_totals(
            coverage_reads.book_totals_frame(session),
            coverage_reads.csm_targets_frame(session),
            models,
        )
        return cls(
            current_tiers(session).set_index("account_id"),
            models,
            coverage_reads.matrix_frame(session),
            current,
        )

    def plan(self, value_tiers: pd.Series, needs_tiers: pd.Series) -> pd.DataFrame:
        tiers = self.tiers
        value = value_tiers.combine_first(tiers["value_tier"]).reindex(tiers.index)
        needs = needs_tiers.combine_first(tiers["needs_tier"]).reindex(tiers.index)
        model_ids = coverage_for_tiers(value, needs, self.matrix)
        return headcount_for_models(model_ids, tiers["arr_cents"], self.models, self.current)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Return JSON-safe rows: NaN and <NA> become None, numpy scalars plain Python."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in clean.to_dict("records")
    ]
