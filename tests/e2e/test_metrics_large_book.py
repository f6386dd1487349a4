"""A large book's segment health reads stored figures only; it never computes them per request."""

from datetime import UTC, date, datetime

from sqlalchemy import insert

from cstier.extensions import db
from cstier.models import Subscription
from cstier.services.metrics import refresh_metrics
from cstier.services.metrics.churn import LIVE_SUBSCRIPTIONS
from tests.factories import AccountFactory
from tests.integration.metrics.conftest import january_book

JANUARY = {"start": "2026-01-01", "end": "2026-02-01"}


def fill_book() -> None:
    """Give one account more old subscriptions than a request may read (they ended in 2020)."""
    filler = AccountFactory(name="Filler")
    db.session.flush()
    now = datetime.now(UTC)
    rows = [
        {
            "external_id": f"FILL-{i}",
            "account_id": filler.id,
            "product": "Core",
            "start_date": date(2020, 1, 1),
            "end_date": date(2020, 1, 2),
            "mrr_cents": 1,
            "quantity": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(LIVE_SUBSCRIPTIONS + 1)
    ]
    db.session.execute(insert(Subscription), rows)
    db.session.commit()


def test_a_large_book_without_stored_figures_asks_for_a_refresh(
    client, auth, manager, csm, other_csm
):
    january_book(csm, other_csm)
    fill_book()
    auth.login(manager.email)

    page = client.get("/metrics/", query_string={**JANUARY, "by": "value_tiers"})

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="not-stored"' in html and "too large to compute" in html
    assert 'id="refresh-form"' in html and 'id="segment-table"' not in html


def test_once_refreshed_a_large_book_shows_its_stored_figures(
    client, auth, manager, csm, other_csm
):
    january_book(csm, other_csm)
    fill_book()
    refresh_metrics(db.session)
    auth.login(manager.email)

    html = client.get("/metrics/", query_string={**JANUARY, "by": "value_tiers"}).get_data(
        as_text=True
    )

    assert 'id="not-stored"' not in html and 'data-segment="Strategic"' in html
    assert "computed now" not in html
    # A period the store does not hold (two months) is still refused, not computed.
    two_months = {"start": "2026-01-01", "end": "2026-03-01", "by": "value_tiers"}
    assert 'id="not-stored"' in client.get("/metrics/", query_string=two_months).get_data(
        as_text=True
    )


def test_a_csm_still_sees_their_own_book_computed_now(client, auth, csm, other_csm):
    january_book(csm, other_csm)
    fill_book()
    auth.login(csm.email)

    html = client.get("/metrics/", query_string={**JANUARY, "by": "value_tiers"}).get_data(
        as_text=True
    )

    assert 'id="not-stored"' not in html and "computed now" in html
    assert 'id="refresh-form"' not in html


def test_the_command_line_computes_a_large_book_it_was_asked_for(runner, csm, other_csm):
    january_book(csm, other_csm)
    fill_book()

    result = runner.invoke(
        args=[
            "metrics", "churn", "--start", "2026-01-01", "--end", "2026-02-01",
            "--by", "value_tiers", "--format", "json",
        ]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert '"computed_at": null' in result.output and '"segment": "Strategic"' in result.output
