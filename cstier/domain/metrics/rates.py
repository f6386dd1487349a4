"""Rates from a period's sums: logo churn, gross MRR churn, GRR, NRR; None where undefined."""

from collections.abc import Mapping

RATE_DIGITS = 6


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, RATE_DIGITS) if whole else None


def logo_churn(figures: Mapping) -> float | None:
    """Return churned cohort accounts ÷ cohort size; None for an empty cohort."""
    return _ratio(figures["accounts_churned"], figures["accounts_start"])


def gross_mrr_churn(figures: Mapping) -> float | None:
    """Return (churned + contraction) ÷ start MRR; None when the cohort has no start MRR."""
    if not figures["accounts_start"]:
        return None
    lost = figures["churned_cents"] + figures["contraction_cents"]
    return _ratio(lost, figures["mrr_start_cents"])


def grr(figures: Mapping) -> float | None:
    """Return 1 − gross MRR churn (each account capped at its start MRR, so ≤ 1)."""
    churn = gross_mrr_churn(figures)
    return None if churn is None else round(1 - churn, RATE_DIGITS)


def nrr(figures: Mapping) -> float | None:
    """Return the cohort's end MRR ÷ its start MRR; None when it has no start MRR."""
    if not figures["accounts_start"]:
        return None
    return _ratio(figures["mrr_end_cents"], figures["mrr_start_cents"])


def bridge(figures: Mapping) -> dict[str, int]:
    """Return the MRR bridge in cents: start, new, expansion, reactivation, contraction, churned, end."""
    steps = {
        "start": int(figures["mrr_start_cents"]),
        "new": int(figures["new_cents"]),
        "expansion": int(figures["expansion_cents"]),
        "reactivation": int(figures["reactivation_cents"]),
        "contraction": int(figures["contraction_cents"]),
        "churned": int(figures["churned_cents"]),
    }
    steps["end"] = (
        steps["start"]
        + steps["new"]
        + steps["expansion"]
        + steps["reactivation"]
        - steps["contraction"]
        - steps["churned"]
    )
    return steps


RATES = {"logo_churn": logo_churn, "gross_mrr_churn": gross_mrr_churn, "grr": grr, "nrr": nrr}
