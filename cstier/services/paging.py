"""Count a list query as far as its pager needs and read one page of it."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

# Rows counted at most (or up to the page asked for, if further): a big book is not counted
# on every request, the pager only needs to know that a next page exists. Kept small so the
# planner walks the sort's index for the count too, rather than sorting every match.
COUNT_CAP = 200


def _count_limit(offset: int, size: int, count_cap: int) -> int:
    """Return how many rows to count: one past the cap (or the page's end) shows more exist."""
    return max(count_cap, offset + size) + 1


def _tally(found: int, limit: int) -> tuple[int, bool]:
    """Return the total to show and whether more rows exist, from `found` of at most `limit`."""
    more = found == limit
    return (limit - 1 if more else found), more


@dataclass(frozen=True)
class Page:
    """One page of rows, the rows counted, and whether more exist past them."""

    rows: list
    total: int
    more: bool = False


def read_page(
    session: Session, stmt: Select, offset: int, size: int, count_cap: int = COUNT_CAP
) -> Page:
    """Count the query's rows up to count_cap (or the page's end) and read `size` from `offset`."""
    limit = _count_limit(offset, size, count_cap)
    limited = stmt.order_by(None).limit(limit).subquery()
    total, more = _tally(int(session.scalar(select(func.count()).select_from(limited))), limit)
    if offset >= total:  # past the end: skip the query (and any OFFSET overflow)
        return Page([], total, more)
    return Page(list(session.execute(stmt.limit(size).offset(offset))), total, more)


def read_entity_page(
    session: Session, stmt: Select, offset: int, size: int, count_cap: int = COUNT_CAP
) -> Page:
    """Read a page as read_page does, of a one-entity select: its rows are the entities."""
    page = read_page(session, stmt, offset, size, count_cap)
    return Page([row[0] for row in page.rows], page.total, page.more)


@dataclass(frozen=True)
class KeyPage:
    """The keys of one page, the rows counted, and whether more exist past them."""

    keys: list
    total: int
    more: bool = False


def read_page_keys(
    session: Session, keys: Select, offset: int, size: int, count_cap: int = COUNT_CAP
) -> KeyPage:
    """Read a one-column key query in its order up to count_cap (or the page's end), once.

    The one ordered walk both counts for the pager and yields the page's keys, where a count
    and an OFFSET page would walk the filtered book twice, the count by another plan.
    """
    limit = _count_limit(offset, size, count_cap)
    found = session.scalars(keys.limit(limit)).all()
    total, more = _tally(len(found), limit)
    return KeyPage(list(found[offset : offset + size]), total, more)
