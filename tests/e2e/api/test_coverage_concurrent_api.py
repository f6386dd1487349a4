"""Two PATCHes sent together with one If-Match on a coverage resource: one 200, one 409."""

import threading

import pytest
from sqlalchemy import select

from cstier.models import CoverageModel, CsmProfile, Pool
from cstier.services.coverage.seed import ensure_default_coverage
from tests.e2e.api.test_coverage_api import API, read


@pytest.fixture
def models(db_session) -> dict:
    ensure_default_coverage(db_session)
    db_session.commit()
    return {m.key: m.id for m in db_session.scalars(select(CoverageModel))}


def _resource(db_session, kind: str, models: dict, csm) -> tuple[str, dict, dict]:
    """Return the URL of one resource and the two writers' bodies."""
    if kind == "model":
        return f"{API}/models/{models['pooled']}", {"cadence": "Weekly"}, {"cadence": "Yearly"}
    if kind == "pool":
        pool = Pool(name="Pooled EMEA", coverage_model_id=models["pooled"], member_ids=[csm.id])
        db_session.add(pool)
        db_session.commit()
        return f"{API}/pools/{pool.id}", {"name": "Pool A"}, {"name": "Pool B"}
    if kind == "csm":
        db_session.add(CsmProfile(user_id=csm.id, regions=["EMEA"]))
        db_session.commit()
    # "csm first save": two first edits of a profile that does not exist yet.
    return f"{API}/csms/{csm.id}", {"regions": ["NA"]}, {"regions": ["APAC"]}


def _patch_together(app, url: str, headers: dict, bodies: tuple[dict, dict]) -> list[int]:
    start, statuses = threading.Barrier(2), []

    def patch(body: dict) -> None:
        client = app.test_client()
        start.wait(timeout=10)
        statuses.append(client.patch(url, json=body, headers=headers).status_code)

    threads = [threading.Thread(target=patch, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.mark.parametrize("kind", ["model", "pool", "csm", "csm first save"])
def test_two_patches_with_one_if_match_one_wins(
    app, client, bearer, manager, csm, db_session, models, kind
):
    url, first, second = _resource(db_session, kind, models, csm)
    headers = bearer(manager)
    before, etag = read(client, url, headers)

    statuses = _patch_together(app, url, {**headers, "If-Match": etag}, (first, second))

    assert statuses == [200, 409]
    after, new_etag = read(client, url, headers)
    assert after["version"] == before["version"] + 1
    assert new_etag == f'"{before["version"] + 1}"'
