"""Look up the rows an import file refers to by external id (or a CSM by email), with a cache."""

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from cstier.models import Account, Company, Contact, Department, User
from cstier.store.bulk_reads import key_in

LOOKUP_BATCH = 50_000  # keys per query, bound as one parameter

NOUNS = {
    "companies": "company",
    "departments": "department",
    "contacts": "contact",
    "accounts": "account",
    "csms": "active CSM",
}


def _query(session: Session, ref: str, values: list[str]) -> Select:
    """Return (key, id, company external id) rows for the referenced values."""
    if ref == "csms":
        email = func.lower(User.email)
        return select(email, User.id, User.email).where(
            key_in(session, email, values), User.role == "csm", User.active.is_(True)
        )
    model = {
        "companies": Company,
        "departments": Department,
        "contacts": Contact,
        "accounts": Account,
    }[ref]
    if model is Company:
        return select(Company.external_id, Company.id, Company.external_id).where(
            key_in(session, Company.external_id, values)
        )
    return (
        select(model.external_id, model.id, Company.external_id)
        .join(Company, model.company_id == Company.id)
        .where(key_in(session, model.external_id, values))
    )


class References:
    """Resolve referenced external ids to row ids, remembering what was already looked up."""

    def __init__(self, session: Session):
        self._session = session
        self._known: dict[str, dict[str, tuple[int, str]]] = {}
        self.before_query: Callable[[], None] | None = None  # wait for a write in flight

    def _execute(self, stmt: Select):
        if self.before_query is not None:
            self.before_query()
        return self._session.execute(stmt)

    @property
    def session(self) -> Session:
        """Return the session lookups run in."""
        return self._session

    def rows(self, stmt: Select) -> list:
        """Return a query's rows once any write in flight has finished."""
        return self._execute(stmt).all()

    def lookup(self, ref: str, values: pd.Series) -> pd.DataFrame:
        """Return id and company (external id) for each value found, indexed by the value."""
        known = self._known.setdefault(ref, {})
        wanted = pd.unique(values.dropna())
        todo = [v for v in wanted if v not in known]
        for start in range(0, len(todo), LOOKUP_BATCH):
            batch = todo[start : start + LOOKUP_BATCH]
            for key, row_id, company in self._execute(_query(self._session, ref, batch)):
                known[key] = (row_id, company)
        found = [v for v in wanted if v in known]
        pairs = [known[v] for v in found]
        return pd.DataFrame(  # column by column: a frame from row tuples costs far more
            {"id": [p[0] for p in pairs], "company": [p[1] for p in pairs]},
            index=pd.Index(found, dtype="object"),
            columns=["id", "company"],
        )

    def parents(self, ref: str, values: list[str]) -> pd.Series:
        """Return the stored parent's external id of each value that has one, indexed by value."""
        if ref != "companies":
            raise ValueError(f"{ref} have no parents")
        parent = aliased(Company)
        pairs = []
        for start in range(0, len(values), LOOKUP_BATCH):
            stmt = (
                select(Company.external_id, parent.external_id)
                .join(parent, Company.parent_id == parent.id)
                .where(
                    key_in(self._session, Company.external_id, values[start : start + LOOKUP_BATCH])
                )
            )
            pairs.extend(self._execute(stmt).all())
        return pd.Series(
            [p for _, p in pairs], index=pd.Index([c for c, _ in pairs], dtype=object), dtype=object
        )

    def forget(self, ref: str) -> None:
        """Drop cached misses and hits of one kind (rows were just written)."""
        self._known.pop(ref, None)
