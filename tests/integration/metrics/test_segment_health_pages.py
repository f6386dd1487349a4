"""The segment health page shows a split of many segments a page at a time, stored or computed."""

from datetime import UTC, datetime

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import AssignmentChange
from cstier.services.metrics import refresh_metrics
from cstier.services.metrics.churn import churn
from cstier.services.metrics.segment_health import SEGMENTS_PER_PAGE, segment_health
from tests.factories import AccountFactory, CompanyFactory, UserFactory
from tests.integration.metrics.conftest import FEB, NOW, subscribe
from tests.integration.metrics.test_segment_health_store import figures

TODAY = NOW.date()
CSMS = 63


def many_csms_book() -> None:
    """One account per CSM, MRRs that tie across CSMs, names whose case decides their order."""
    company = CompanyFactory()
    early = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(CSMS):
        csm = UserFactory(role="csm", name=f"{'aBAb'[i % 4]}{i:02d} CSM")
        account = AccountFactory(company=company, csm=csm)
        end = "2026-02-10" if i % 5 == 0 else None  # some churn inside February
        subscribe(account, "2025-01-01", end, (i % 7) * 10_00)
        db.session.add(AssignmentChange(account_id=account.id, to_csm_id=csm.id, at=early))
    subscribe(AccountFactory(company=company, csm=None), "2025-01-01", None, 999_00)  # (none)
    db.session.commit()


def pages(count: int) -> list:
    return [
        segment_health(db.session, SYSTEM_ACTOR, "csm", today=TODAY, page_no=n)
        for n in range(1, count + 1)
    ]


def test_stored_pages_of_many_csms_equal_the_report_computed_whole(db_session):
    many_csms_book()
    whole = churn(db.session, SYSTEM_ACTOR, FEB, NOW.date().replace(day=1), "csm")
    computed = pages(2)
    refresh_metrics(db.session, NOW)
    stored = pages(2)

    for on_request, from_store in zip(computed, stored, strict=True):
        assert from_store.computed_at is not None and on_request.computed_at is None
        assert figures(from_store) == figures(on_request)
        assert from_store.chart == on_request.chart
        assert from_store.headlines == on_request.headlines
        assert (from_store.page_no, from_store.pages) == (on_request.page_no, on_request.pages)

    first, second = stored
    assert first.segment_count == CSMS + 1 and first.pages == 2
    assert len(first.report["segments"]) == SEGMENTS_PER_PAGE
    # Together the pages are the whole report in its order ("(none)" last), with its total.
    shown = first.report["segments"] + second.report["segments"]
    assert shown == whole["segments"] and shown[-1]["segment"] == "(none)"
    assert first.report["total"] == second.report["total"] == whole["total"]
    # The trend keeps each month's whole total and draws the page's segments only.
    on_page = {s["segment"] for s in second.report["segments"]}
    assert set(second.chart["segments"]) <= on_page | {"Total"}
    assert "Total" in second.chart["segments"]
    for month in second.series["periods"]:
        assert {s["segment"] for s in month["segments"]} <= on_page
    # A stale link past the end shows the last page.
    past = segment_health(db.session, SYSTEM_ACTOR, "csm", today=TODAY, page_no=9)
    assert past.page_no == 2 and figures(past) == figures(second)


def test_a_split_on_one_page_shows_every_segment_in_the_trend(db_session):
    many_csms_book()
    refresh_metrics(db.session, NOW)
    page = segment_health(db.session, SYSTEM_ACTOR, "total", today=TODAY)
    assert (page.page_no, page.pages, page.segment_count) == (1, 1, 1)
