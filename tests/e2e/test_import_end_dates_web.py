"""The mapping page offers the end-date convention for subscriptions and applies it."""

import io
from datetime import date

from sqlalchemy import select

from cstier.extensions import db
from cstier.models import Subscription
from tests.factories import AccountFactory, CompanyFactory
from tests.queue import work_queue

FILE = b"external_id,account_external_id,product,start_date,end_date,mrr\nS-1,AC-1,Core,2026-01-01,2026-01-31,10\n"


def test_inclusive_end_dates_from_the_mapping_page(app, client, auth, manager):
    AccountFactory(external_id="AC-1", company=CompanyFactory())
    db.session.commit()
    auth.login(manager.email)
    upload = client.post(
        "/imports/upload",
        data={"kind": "subscriptions", "file": (io.BytesIO(FILE), "s.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    mapping_url = upload.headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert "the last day of service (one day is added)" in page
    token = mapping_url.rstrip("/").split("/")[-2]
    form = {f"map-{i}": name for i, name in enumerate(
        ["external_id", "account_external_id", "product", "start_date", "end_date", "mrr"]
    )}  # fmt: skip
    response = client.post(
        f"/imports/{token}/run", data={**form, "end_dates": "inclusive", "apply": "Apply import"}
    )
    # Applying runs as a background job: the page follows it, the worker applies it.
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "/jobs/" in response.headers["Location"]
    assert work_queue(app) == 1
    assert db.session.scalar(select(Subscription.end_date)) == date(2026, 2, 1)
