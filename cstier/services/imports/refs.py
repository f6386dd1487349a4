"""Look up the rows an import file refers to by external id (or a CSM by email), with a cache."""

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cstier.models import Account, Company, Contact, Department, User

LOOKUP_BATCH = 5_000  # stays under SQLite's bound-parameter limit

NOUNS = {
    "companies": "company",
    "departments": "department",
    "contacts": "contact",
    "accounts": "account",
    "csms": "active CSM",
}


def _query(ref: str, values: list[str]) -> Select:
    """Return (key, id, company external id) rows for the referenced values."""
    if ref == "csms":
        email = func.lower(User.email)
        return select(email, User.id, User.email).where(
            email.in_(values), User.role == "csm", User.active.is_(True)
        )
    model = {
        "companies": Company,
        "departments": Department,
        "contacts": Contact,
        "accounts": Account,
    }[ref]
    if model is Company:
        return select(Company.external_id, Company.id, Company.external_id).where(
            Company.external_id.in_(values)
        )
    return (
        select(model.external_id, model.id, Company.external_id)
        .join(Company, model.company_id == Company.id)
        .where(model.external_id.in_(values))
    )


class References:
    """Resolve referenced external ids to row ids, remembering what was already looked up."""

    def __init__(self, session: Session):
        self._session = session
        self._known: dict[str, dict[str, tuple[int, str]]] = {}

    def lookup(self, ref: str, values: pd.Series) -> pd.DataFrame:
        """Return id and company (external id) for each value found, indexed by the value."""
        known = self._known.setdefault(ref, {})
        wanted = pd.unique(values.dropna())
        todo = [v for v in wanted if v not in known]
        for start in range(0, len(todo), LOOKUP_BATCH):
            batch = todo[start : start + LOOKUP_BATCH]
            for key, row_id, company in self._session.execute(_query(ref, batch)):
                known[key] = (row_id, company)
        found = [v for v in wanted if v in known]
        return pd.DataFrame(
            [known[v] for v in found],
            index=pd.Index(found, dtype="object"),
            columns=["id", "company"],
        )

    def forget(self, ref: str) -> None:
        """Drop cached misses and hits of one kind (rows were just written)."""
        self._known.pop(ref, None)
