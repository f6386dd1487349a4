"""Count a list query and read one page of it, for the API's X-Pagination header."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    """One page of rows and how many rows the whole query has."""

    rows: list
    total: int


def read_page(session: Session, stmt: Select, offset: int, size: int) -> Page:
    """Count the query's rows and read `size` of them from `offset` (none past the end)."""
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())))
    if offset >= total:  # past the end: skip the query (and any OFFSET overflow)
        return Page([], total)
    return Page(list(session.execute(stmt.limit(size).offset(offset))), total)
