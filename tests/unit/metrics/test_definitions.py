"""docs/metrics.md is the definitions page's text: one source, regenerated, never edited apart."""

from pathlib import Path

from cstier.domain.metrics.definitions import BY_ANCHOR, definitions_markdown

DOCS = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_docs_match_the_cards():
    # The churn cards come first, generated; health and onboarding follow, written by hand.
    assert DOCS.read_text(encoding="utf-8").startswith(definitions_markdown()), (
        "regenerate docs/metrics.md from cstier/domain/metrics/definitions.py"
    )


def test_every_shown_metric_has_a_card():
    for anchor in ("logo-churn", "grr", "nrr", "bridge", "churned-mrr", "contraction", "cohort"):
        assert anchor in BY_ANCHOR
