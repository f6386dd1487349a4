"""Random books: the engine's bridge reconciles and plain SQL agrees on churn, contraction and NRR."""

import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import Date, bindparam, delete, insert, text

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import Subscription
from cstier.services.metrics import churn
from tests.factories import AccountFactory, CompanyFactory

CASES = 50
ACCOUNTS = 12
FIRST_DAY = date(2025, 10, 1)

# The definitions of docs/metrics.md written once more, in SQL, independently of the engine.
REFERENCE = text("""
WITH opening AS (
    SELECT account_id, SUM(mrr_cents) AS mrr FROM subscription
    WHERE start_date <= :start AND (end_date IS NULL OR end_date > :start)
    GROUP BY account_id
), closing AS (
    SELECT account_id, SUM(mrr_cents) AS mrr FROM subscription
    WHERE start_date <= :end AND (end_date IS NULL OR end_date > :end)
    GROUP BY account_id
)
SELECT COUNT(*) AS cohort,
       COALESCE(SUM(CASE WHEN closing.account_id IS NULL THEN 1 ELSE 0 END), 0) AS churned,
       COALESCE(SUM(CASE WHEN closing.account_id IS NULL THEN opening.mrr ELSE 0 END), 0)
           AS churned_mrr,
       COALESCE(SUM(CASE WHEN closing.mrr < opening.mrr THEN opening.mrr - closing.mrr
                         ELSE 0 END), 0) AS contraction,
       COALESCE(SUM(opening.mrr), 0) AS start_mrr,
       COALESCE(SUM(closing.mrr), 0) AS end_mrr
FROM opening LEFT JOIN closing ON closing.account_id = opening.account_id
""").bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))


def random_subscriptions(rng: random.Random, accounts: list[int]) -> list[dict]:
    rows = []
    for account_id in accounts:
        for number in range(rng.randint(0, 4)):
            start = FIRST_DAY + timedelta(days=rng.randint(0, 150))
            end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, 90))
            rows.append(
                {
                    "external_id": f"P-{account_id}-{number}",
                    "account_id": account_id,
                    "product": rng.choice(["Core", "Add-on", "Seats"]),
                    "start_date": start,
                    "end_date": end,
                    "mrr_cents": rng.choice([0, 0, rng.randint(1, 500_00)]),
                    "quantity": 1,
                }
            )
    return rows


def random_period(rng: random.Random) -> tuple[date, date]:
    start = FIRST_DAY + timedelta(days=rng.randint(0, 120))
    if rng.random() < 0.5:
        start = start.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    return start, start + timedelta(days=rng.randint(1, 100))


@pytest.fixture
def accounts(db_session) -> list[int]:
    company = CompanyFactory()
    plans = ["Pro", "Basic", None]
    made = [AccountFactory(company=company, plan=plans[n % 3]) for n in range(ACCOUNTS)]
    db.session.commit()
    return [a.id for a in made]


def test_random_books_agree_with_plain_sql(accounts):
    rng = random.Random(19)
    for case in range(CASES):
        db.session.execute(delete(Subscription))
        rows = random_subscriptions(rng, accounts)
        if rows:
            db.session.execute(insert(Subscription), rows)
        db.session.commit()
        start, end = random_period(rng)

        report = churn(db.session, SYSTEM_ACTOR, start, end)
        total = report["total"]
        row = db.session.execute(REFERENCE, {"start": start, "end": end}).one()
        expected = SimpleNamespace(**{name: int(value) for name, value in row._mapping.items()})
        where = f"case {case}, {start} – {end}"
        assert total["accounts_start"] == expected.cohort, where
        assert total["accounts_churned"] == expected.churned, where
        assert total["churned_mrr_cents"] == expected.churned_mrr, where
        assert total["contraction_cents"] == expected.contraction, where
        assert total["mrr_end_cents"] == expected.end_mrr, where
        if expected.cohort:
            assert total["logo_churn"] == round(expected.churned / expected.cohort, 6), where
        else:
            assert total["logo_churn"] is None, where
        if expected.start_mrr:
            assert total["nrr"] == round(expected.end_mrr / expected.start_mrr, 6), where
        else:
            assert total["nrr"] is None, where
        bridge = total["bridge"]
        assert (
            bridge["start"]
            + bridge["new"]
            + bridge["expansion"]
            + bridge["reactivation"]
            - bridge["contraction"]
            - bridge["churned"]
            == bridge["end"]
        ), where
        split = churn(db.session, SYSTEM_ACTOR, start, end, "plan")
        assert split["total"] == total, where
