"""The weekly report's metrics figures from plain frames."""

import pandas as pd

from cstier.domain.reports.weekly_content import with_previous
from cstier.domain.reports.weekly_metrics import (
    band_figures,
    onboarding_figures,
    ordered_segments,
    retention_figures,
)


def by_key(figures: list[dict]) -> dict:
    return {f["key"]: f["value"] for f in figures}


def test_segments_run_from_the_top_tier_to_the_total():
    bands = pd.DataFrame({"segment": ["(none)", "Scale"], "band": ["red", "red"]})
    assert ordered_segments(["Strategic", "Scale"], bands) == [
        "Strategic",
        "Scale",
        "(none)",
        "Total",
    ]


def test_an_empty_cohort_has_no_rate_and_a_missing_segment_none():
    retention = pd.DataFrame(
        [{"segment": "Total", "accounts_start": 0, "accounts_churned": 0, "mrr_start_cents": 0,
          "mrr_end_cents": 0, "churned_cents": 0, "contraction_cents": 0}]
    )  # fmt: skip
    got = by_key(retention_figures(retention, ["Scale", "Total"]))
    assert got["logo_churn:Total"] is None and got["nrr:Scale"] is None


def test_onboarding_shares_leave_completed_ones_out_and_bands_count_zero():
    onboardings = pd.DataFrame(
        {"segment": ["A", "A", "A"], "status": ["on_track", "stalled", "completed"]}
    )
    got = by_key(onboarding_figures(onboardings, ["A", "B", "Total"]))
    assert got["onboarding_on_track:A"] == 50.0 and got["onboarding_stalled:B"] is None
    bands = pd.DataFrame({"segment": ["A"], "band": ["yellow"]})
    counted = by_key(band_figures(bands, ["A", "Total"]))
    assert counted["health_yellow:Total"] == 1 and counted["health_red:A"] == 0


def test_a_percentage_change_has_no_float_noise():
    now = [{"key": "grr:Total", "label": "GRR (%)", "segment": "Total", "value": 4.2}]
    before = [{"key": "grr:Total", "label": "GRR (%)", "segment": "Total", "value": 3.1}]
    (figure,) = with_previous(now, before)
    assert figure["change"] == 1.1 and figure["segment"] == "Total"
