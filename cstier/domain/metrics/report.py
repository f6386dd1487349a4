"""A period's figures in the shape the CLI, the API and the pages share."""

from collections.abc import Mapping

import pandas as pd

from cstier.domain.metrics.rates import bridge, grr, logo_churn, nrr
from cstier.domain.metrics.retention import FIGURES


def segment_report(figures: Mapping) -> dict:
    """Return one segment's figures: counts, MRR in cents, rates as fractions, the bridge."""
    return {
        "segment": figures["segment"],
        "accounts_start": int(figures["accounts_start"]),
        "accounts_churned": int(figures["accounts_churned"]),
        "logo_churn": logo_churn(figures),
        "mrr_start_cents": int(figures["mrr_start_cents"]),
        "mrr_end_cents": int(figures["mrr_end_cents"]),
        "churned_mrr_cents": int(figures["churned_cents"]),
        "contraction_cents": int(figures["contraction_cents"]),
        "grr": grr(figures),
        "nrr": nrr(figures),
        "bridge": bridge(figures),
    }


def total_figures(segments: pd.DataFrame, name: str = "Total") -> dict:
    """Return the sum of the segments' figures: every account is in exactly one segment."""
    sums = {f: int(segments[f].sum()) if len(segments) else 0 for f in FIGURES}
    return {"segment": name, **sums}


def churn_report(segments: pd.DataFrame, total: Mapping | None = None) -> dict:
    """Return the total and the segments (largest start MRR first, "(none)" last).

    `total` gives the total's figures when `segments` is a page of them, not all.
    """
    rows = segments.assign(_none=segments["segment"] == "(none)").sort_values(
        ["_none", "mrr_start_cents", "segment"], ascending=[True, False, True]
    )
    return {
        "total": segment_report(total_figures(segments) if total is None else total),
        "segments": [segment_report(row) for row in rows.to_dict("records")],
    }


def report_rows(report: dict) -> list[dict]:
    """Return the segments then the total as flat rows (the bridge as bridge_* columns)."""
    rows = []
    for item in [*report["segments"], report["total"]]:
        flat = {key: value for key, value in item.items() if key != "bridge"}
        flat.update({f"bridge_{step}": cents for step, cents in item["bridge"].items()})
        rows.append(flat)
    return rows


def trend_rows(series: dict) -> list[dict]:
    """Return a monthly series as flat rows, one per period and segment, the total included."""
    return [
        {"start": period["start"], "end": period["end"], **row}
        for period in series["periods"]
        for row in report_rows(period)
    ]


def percent(rate: float | None) -> str:
    """Return a rate as a percentage with one decimal, or "n/a"."""
    return "n/a" if rate is None else f"{rate * 100:.1f} %"


def trend_chart(series: dict) -> dict:
    """Return the monthly series as chart data: month labels, and per segment each rate in %."""
    labels = [period["start"][:7] for period in series["periods"]]
    names = list(
        dict.fromkeys(
            ["Total", *(s["segment"] for period in series["periods"] for s in period["segments"])]
        )
    )
    lines: dict[str, dict[str, list]] = {
        name: {"logo_churn": [], "grr": [], "nrr": []} for name in names
    }
    for period in series["periods"]:
        rows = {s["segment"]: s for s in period["segments"]} | {"Total": period["total"]}
        for name, rates in lines.items():
            for rate, values in rates.items():
                value = rows[name][rate] if name in rows else None
                values.append(None if value is None else round(value * 100, 2))
    return {"labels": labels, "segments": lines}
