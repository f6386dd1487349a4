"""The weekly report's metrics figures: retention, onboarding and health per value tier and total."""

import pandas as pd

from cstier.domain.metrics.rates import grr, logo_churn, nrr

TOTAL = "Total"
BANDS = ("red", "yellow", "green", "insufficient")
RATES = (
    ("logo_churn", "Logo churn (%)", logo_churn),
    ("grr", "GRR (%)", grr),
    ("nrr", "NRR (%)", nrr),
)
BAND_LABELS = {band: f"Accounts with {band} health" for band in BANDS}


def percent(part: float | None, whole: float | None = 1) -> float | None:
    """Return part ÷ whole in percent with one decimal; None when undefined."""
    if part is None or not whole:
        return None
    return round(100 * float(part) / float(whole), 1)


def _figure(measure: str, label: str, segment: str, value: float | int | None) -> dict:
    # The key names the segment too: last week's value is matched by key.
    return {"key": f"{measure}:{segment}", "label": label, "segment": segment, "value": value}


def ordered_segments(tiers: list[str], *frames: pd.DataFrame) -> list[str]:
    """Return the value tiers top first, then any other segment the frames hold, then the total."""
    seen = {s for frame in frames if not frame.empty for s in frame["segment"]} - {TOTAL}
    return [*tiers, *sorted(seen - set(tiers)), TOTAL]


def retention_figures(retention: pd.DataFrame, segments: list[str]) -> list[dict]:
    """Return logo churn, GRR and NRR of each segment's stored month (total row named TOTAL)."""
    rows = {row["segment"]: row for row in retention.to_dict("records")}
    return [
        _figure(key, label, segment, percent(rate(rows[segment])) if segment in rows else None)
        for segment in segments
        for key, label, rate in RATES
    ]


def onboarding_figures(onboardings: pd.DataFrame, segments: list[str]) -> list[dict]:
    """Return the shares of open onboardings on track and stalled per segment (segment, status)."""
    open_ = onboardings[onboardings["status"] != "completed"]
    figures = []
    for segment in segments:
        mine = open_ if segment == TOTAL else open_[open_["segment"] == segment]
        figures += [
            _figure("onboarding_on_track", "Onboardings on track (%)", segment,
                    percent(int((mine["status"] == "on_track").sum()), len(mine))),
            _figure("onboarding_stalled", "Onboardings stalled (%)", segment,
                    percent(int((mine["status"] == "stalled").sum()), len(mine))),
        ]  # fmt: skip
    return figures


def band_figures(bands: pd.DataFrame, segments: list[str]) -> list[dict]:
    """Return the count of accounts per health band per segment (bands: segment, band)."""
    figures = []
    for segment in segments:
        mine = bands if segment == TOTAL else bands[bands["segment"] == segment]
        counts = mine["band"].value_counts()
        figures += [
            _figure(f"health_{band}", BAND_LABELS[band], segment, int(counts.get(band, 0)))
            for band in BANDS
        ]
    return figures
