"""The definition card of each metric: the one text the app's page and docs/metrics.md show."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """A metric's card: formula, what is in and what is out, and a worked example."""

    anchor: str
    name: str
    formula: str
    includes: str
    excludes: str
    example: str


ACTIVE = (
    "A subscription is active on day d when start_date ≤ d and (end_date is empty or "
    "end_date > d): the end date is the first day it no longer runs, and one ending on its "
    "start date never runs. An account is active on d when it has an active subscription; "
    "its MRR on d is the sum of its active subscriptions' MRR. A period from start to end "
    "compares the book as it runs on day start (opening) and on day end (closing): for a "
    "month, the 1st of the month and the 1st of the next. All money is in the workspace "
    "currency; rates are n/a for an empty cohort, GRR and NRR n/a for a cohort at zero MRR."
)

DEFINITIONS = (
    Definition(
        "cohort",
        "Cohort",
        "accounts active on the period's start day",
        "every account with a subscription running on the start day, at any MRR (0 included)",
        "accounts active only between the two snapshots (new and gone again): counted apart",
        "On 1 January A (100) and B (300) run, C starts on 10 January: the cohort is A and B.",
    ),
    Definition(
        "logo-churn",
        "Logo churn",
        "cohort accounts not active on the end day ÷ cohort size",
        "cohort accounts with no subscription running on the end day",
        "an account that ends and comes back inside the period; new accounts",
        "A ends on 20 January, B runs on: January's logo churn is 1 ÷ 2 = 50 %.",
    ),
    Definition(
        "churned-mrr",
        "Churned MRR",
        "Σ start MRR of churned cohort accounts",
        "the whole start MRR of each churned account",
        "retained accounts, however far their MRR fell",
        "A (100 on 1 January) has nothing running on 1 February: churned MRR 100.",
    ),
    Definition(
        "contraction",
        "Contraction",
        "Σ (start MRR − end MRR) over retained accounts whose MRR fell",
        "falls to zero: an account with a running subscription at MRR 0 is retained",
        "churned accounts (their loss is churned MRR)",
        "B keeps its 300 plan and drops a 30 add-on: contraction 30.",
    ),
    Definition(
        "expansion",
        "Expansion",
        "Σ (end MRR − start MRR) over retained accounts whose MRR rose",
        "upgrades, add-ons, free to paid",
        "new and reactivated accounts",
        "A adds a 50 add-on to its 200 plan: expansion 50.",
    ),
    Definition(
        "new",
        "New MRR",
        "Σ end MRR of accounts active on the end day that never had a subscription before the start",
        "an account whose first subscription starts on or before the end day (1 February counts for January)",
        "accounts that had an earlier subscription (reactivation)",
        "D's first subscription starts on 31 January at 40: new MRR 40.",
    ),
    Definition(
        "reactivation",
        "Reactivation",
        "Σ end MRR of accounts active on the end day, not on the start day, whose earlier subscription ended before the start",
        "accounts coming back after any time away",
        "accounts that never had a subscription (new)",
        "E ended in June 2025 and starts again on 25 January at 70: reactivation 70.",
    ),
    Definition(
        "bridge",
        "MRR bridge",
        "start MRR + new + expansion + reactivation − contraction − churned = end MRR",
        "the end MRR here is the cohort's plus the new and reactivated accounts'",
        "nothing: a bridge that does not reconcile to the cent is an error, never a figure",
        "630 + 40 + 50 + 70 − 30 − 100 = 660.",
    ),
    Definition(
        "gross-mrr-churn",
        "Gross MRR churn",
        "(churned MRR + contraction) ÷ the cohort's start MRR",
        "losses of cohort accounts",
        "expansion, new and reactivation",
        "(100 + 30) ÷ 630 = 20.6 %.",
    ),
    Definition(
        "grr",
        "Gross revenue retention (GRR)",
        "1 − gross MRR churn; each account capped at its start MRR, so GRR ≤ 100 %",
        "the cohort's MRR kept",
        "expansion; new and reactivated accounts",
        "1 − 130 ÷ 630 = 79.4 %.",
    ),
    Definition(
        "nrr",
        "Net revenue retention (NRR)",
        "the cohort's end MRR ÷ its start MRR",
        "expansion, contraction and churn of cohort accounts",
        "new and reactivated accounts",
        "(250 + 300) ÷ 630 = 87.3 %.",
    ),
    Definition(
        "segments",
        "Segments",
        "tier schemes, coverage model and CSM as on the start day; other fields current",
        "as of the start day: the last change before 00:00 UTC of that day; cohort accounts stay in their start segment",
        "an account without a tier, model or CSM then, or an empty field, is in “(none)”, so segments sum to the total",
        "Shrinker moves from Growth to Strategic on 20 January: its January figures are Growth's.",
    ),
)

BY_ANCHOR = {d.anchor: d for d in DEFINITIONS}


def definitions_markdown() -> str:
    """Return docs/metrics.md: the active rule, then every card."""
    lines = [
        "# Metrics: churn and retention",
        "",
        "Generated from `cstier/domain/metrics/definitions.py`, the text the app's",
        "definitions page shows (`/metrics/definitions`); change it there.",
        "",
        "## Active subscriptions and periods",
        "",
        ACTIVE,
    ]
    for card in DEFINITIONS:
        lines += [
            "",
            f'## {card.name} <a id="{card.anchor}"></a>',
            "",
            f"- **Formula**: {card.formula}",
            f"- **In**: {card.includes}",
            f"- **Out**: {card.excludes}",
            f"- **Example**: {card.example}",
        ]
    return "\n".join(lines) + "\n"
