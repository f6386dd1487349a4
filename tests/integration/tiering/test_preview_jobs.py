"""A scheme preview as a background job: queued after checks, stored once, read back by page."""

import pytest

from cstier.domain.permissions import SYSTEM_ACTOR, Actor
from cstier.domain.tiering.defaults import VALUE_TIERS
from cstier.models import BackgroundJob, PreviewMove, SchemePreview, TierChange
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.jobs.background import work_until_empty
from cstier.services.jobs.leases import Lease
from cstier.services.tiering import preview_store
from cstier.services.tiering.preview_queue import queue_preview
from cstier.services.tiering.run import run_tiering
from tests.factories import AccountFactory, CompanyFactory
from tests.integration.tiering.conftest import JAN, count, tier_count
from tests.integration.tiering.test_schemes import edited, scheme_id

LOWER = edited(VALUE_TIERS, bands=[
    {"tier": "Strategic", "min": 90_000}, {"tier": "Growth", "min": 40_000, "max": 90_000},
    {"tier": "Scale", "max": 40_000},
])  # fmt: skip


def run_jobs(app, db_session) -> None:
    work_until_empty(db_session, Lease("test"), app.config)


def test_a_preview_job_stores_the_result_and_the_moving_accounts_in_arr_order(
    app, db_session, book, manager_actor
):
    run_tiering(db_session, SYSTEM_ACTOR, trigger="cli", now=JAN)
    target = scheme_id(db_session, "value_tiers")
    before = (tier_count(), count(TierChange))
    job = queue_preview(db_session, manager_actor, target, LOWER)
    run_jobs(app, db_session)

    job = db_session.get(BackgroundJob, job.id)
    assert job.status == "done" and job.result_url.startswith("/tiers/previews/")
    assert job.progress_done == job.progress_total == 4
    preview_id = int(job.result_url.rsplit("/", 1)[1])
    stored = preview_store.get_preview(db_session, manager_actor, preview_id)
    assert (stored.accounts_evaluated, stored.accounts_moving) == (3, 2)
    assert stored.arr_moving == 149_000 and stored.based_on_version == 1
    moves = stored.matrix.set_index(["from_tier", "to_tier"])["accounts"].to_dict()
    assert moves[("Growth", "Strategic")] == 1 and moves[("Scale", "Growth")] == 1
    assert stored.headcount is not None and stored.coverage_moves is not None
    page = preview_store.moving_page(db_session, manager_actor, preview_id, 1)
    assert list(page["name"]) == ["Mid", "Small"]  # largest ARR first
    assert list(page["arr"]) == [100_000, 49_000]
    assert (tier_count(), count(TierChange)) == before  # nothing of the book changed


def test_the_moving_accounts_page_by_stored_position(app, db_session, manager_actor):
    target = scheme_id(db_session, "value_tiers")
    company = CompanyFactory()
    for n in range(preview_store.PAGE_ROWS + 7):
        AccountFactory(name=f"A{n:03}", company=company, arr_cents=(10_000 + n) * 100)
    db_session.commit()
    queue_preview(db_session, manager_actor, target, LOWER)  # first tiering: all move
    run_jobs(app, db_session)
    preview_id = db_session.query(SchemePreview.id).scalar()
    stored = preview_store.get_preview(db_session, manager_actor, preview_id)
    assert stored.accounts_moving == preview_store.PAGE_ROWS + 7 and stored.pages == 2
    first = preview_store.moving_page(db_session, manager_actor, preview_id, 1)
    second = preview_store.moving_page(db_session, manager_actor, preview_id, 2)
    assert len(first) == preview_store.PAGE_ROWS and len(second) == 7
    assert first["name"].iloc[0] == f"A{preview_store.PAGE_ROWS + 6:03}"
    assert second["name"].iloc[-1] == "A000"
    assert set(first["from_tier"].isna()) == {True}  # not tiered yet
    assert count(PreviewMove) == preview_store.PAGE_ROWS + 7


def test_an_invalid_draft_is_refused_and_nothing_is_queued(db_session, book, manager_actor):
    target = scheme_id(db_session, "value_tiers")
    with pytest.raises(ValidationFailed):
        queue_preview(db_session, manager_actor, target, edited(VALUE_TIERS, bands=[]))
    with pytest.raises(NotFound):
        queue_preview(db_session, manager_actor, 999_999, LOWER)
    assert count(BackgroundJob) == 0


def test_a_csm_may_neither_queue_nor_read_a_preview(app, db_session, book, csm, manager_actor):
    target = scheme_id(db_session, "value_tiers")
    csm_actor = Actor(user_id=csm.id, role="csm")
    with pytest.raises(Forbidden):
        queue_preview(db_session, csm_actor, target, LOWER)
    assert count(BackgroundJob) == 0
    queue_preview(db_session, manager_actor, target, LOWER)
    run_jobs(app, db_session)
    preview_id = db_session.query(SchemePreview.id).scalar()
    for read in (preview_store.get_preview, preview_store.moving_page):
        with pytest.raises(Forbidden):
            read(
                db_session,
                csm_actor,
                preview_id,
                *([1] if read is preview_store.moving_page else []),
            )


def test_a_requester_who_lost_the_manager_role_gets_a_failed_job(
    app, db_session, book, manager, manager_actor
):
    target = scheme_id(db_session, "value_tiers")
    job = queue_preview(db_session, manager_actor, target, LOWER)
    manager.role = "csm"
    db_session.commit()
    run_jobs(app, db_session)
    job = db_session.get(BackgroundJob, job.id)
    assert job.status == "failed" and "Only managers and admins" in job.error
    assert count(SchemePreview) == 0


def test_older_previews_are_dropped_as_new_ones_are_stored(app, db_session, book, manager_actor):
    target = scheme_id(db_session, "value_tiers")
    for _ in range(preview_store.KEPT_PREVIEWS + 2):
        queue_preview(db_session, manager_actor, target, LOWER)
    run_jobs(app, db_session)
    assert count(SchemePreview) == preview_store.KEPT_PREVIEWS
    assert count(PreviewMove) == preview_store.KEPT_PREVIEWS * 3  # a first tiering: all move
