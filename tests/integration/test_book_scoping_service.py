"""Lists that feed a CSM's pages hold only their own book: import runs and filter choices."""

from cstier.domain.permissions import Actor
from cstier.models import ImportRun
from cstier.services import accounts
from cstier.services.imports.runs import recent_runs
from tests.factories import AccountFactory, CompanyFactory


def actor(user) -> Actor:
    return Actor(user.id, user.role)


def test_a_csm_sees_only_their_own_import_runs(db_session, csm, other_csm, manager):
    for user, filename in ((csm, "mine.csv"), (other_csm, "theirs.csv"), (manager, "team.csv")):
        db_session.add(
            ImportRun(kind="accounts", filename=filename, status="applied", user_id=user.id)
        )
    db_session.commit()

    assert [r.filename for r in recent_runs(db_session, actor(csm))] == ["mine.csv"]
    assert {r.filename for r in recent_runs(db_session, actor(manager))} == {
        "mine.csv",
        "theirs.csv",
        "team.csv",
    }


def test_filter_choices_come_from_the_csms_book(db_session, csm, other_csm, manager):
    AccountFactory(csm=csm, plan="Pro", company=CompanyFactory(region="EMEA", industry="Retail"))
    AccountFactory(csm=other_csm, plan="Edge", company=CompanyFactory(region="NA", industry="Oil"))

    assert accounts.filter_choices(db_session, actor(csm)) == {
        "regions": ["EMEA"],
        "industries": ["Retail"],
        "coverage_models": [],
    }
    assert accounts.filter_choices(db_session, actor(manager)) == {
        "regions": ["EMEA", "NA"],
        "industries": ["Oil", "Retail"],
        "coverage_models": [],
    }
