"""Suggested segments against the database: loading features, proposing, adopting."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import CustomAttribute, TierScheme
from cstier.services.errors import Forbidden, ValidationFailed
from cstier.services.tiering import suggest
from tests.factories import AccountFactory, CompanyFactory


def actor(user) -> Actor:
    return Actor(user_id=user.id, role=user.role)


def make_book(per_group: int = 6) -> None:
    """Two clearly different groups of accounts, with an NPS custom attribute."""
    db.session.add(CustomAttribute(key="nps", label="NPS", data_type="number"))
    db.session.commit()
    for i in range(per_group):
        AccountFactory(
            arr_cents=(10_000 + i * 100) * 100,
            company=CompanyFactory(employees=40 + i),
            attributes={"nps": 10 + i},
        )
        AccountFactory(
            arr_cents=(400_000 + i * 1_000) * 100,
            company=CompanyFactory(employees=3_000 + i * 10),
            attributes={"nps": 60 + i},
        )


@pytest.fixture
def book(db_session):
    make_book()


def test_numeric_features_lists_number_fields_and_custom_attributes(book, db_session):
    features = suggest.numeric_features(db_session)

    assert "arr" in features and "employees" in features and "attr.nps" in features
    assert "region" not in features and "csm_id" not in features
    assert features.index("attr.nps") > features.index("employees")


def test_manager_gets_two_clusters_with_profiles(book, db_session, manager):
    suggestion = suggest.suggest(db_session, actor(manager), ["employees", "attr.nps"], 2)

    top, bottom = suggestion.profiles
    assert (top.size, bottom.size) == (6, 6)
    assert top.arr > bottom.arr
    assert top.medians["attr.nps"] > 50 > bottom.medians["attr.nps"]
    assert suggestion.agreement == 1.0


@pytest.mark.parametrize(
    ("features", "k", "message"),
    [
        ([], 2, "Pick at least one numeric feature"),
        (["arr"], 9, "k must be between 2 and 8"),
        (["region"], 2, "Not a numeric field: region."),
        (["arr"], 8, "There are 6 accounts, fewer than k = 8: pick a smaller k."),
    ],
)
def test_bad_input_raises_validation_failed(db_session, manager, features, k, message):
    make_book(per_group=3)
    with pytest.raises(ValidationFailed, match=message):
        suggest.suggest(db_session, actor(manager), features, k)


def test_csm_may_not_suggest(book, db_session, csm):
    with pytest.raises(Forbidden):
        suggest.suggest(db_session, actor(csm), ["arr"], 2)


def test_admin_adopts_a_proposal_as_a_rule_based_scheme(book, db_session, admin):
    scheme = suggest.adopt(db_session, actor(admin), ["arr", "employees"], 2, "Size clusters")

    with Session(db.engine) as fresh:
        stored = fresh.scalars(select(TierScheme).where(TierScheme.id == scheme.id)).one()
        definition = stored.current.definition
    assert stored.dimension == "segment"
    assert definition["method"] == "rules"
    assert definition["name"] == "Size clusters"
    assert {r["tier"] for r in definition["rules"]} == {"Segment 1", "Segment 2"}


def test_manager_may_not_adopt(book, db_session, manager):
    with pytest.raises(Forbidden):
        suggest.adopt(db_session, actor(manager), ["arr"], 2, "Mine")


def test_adopt_needs_a_name(book, db_session, admin):
    with pytest.raises(ValidationFailed, match="Name the new scheme"):
        suggest.adopt(db_session, actor(admin), ["arr"], 2, " ")
