"""One page of the account list with its tier, segment and coverage columns, counted up to a cap."""

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Account, AccountCoverage, CoverageModel, CurrentTier, TierScheme
from cstier.services.accounts import AccountFilter, list_query
from cstier.services.paging import COUNT_CAP, read_page_keys

DIMENSIONS = ("value", "needs", "segment")


@dataclass(frozen=True)
class TierColumn:
    """A column of the list: one active scheme's tier."""

    scheme_id: int
    key: str
    name: str
    dimension: str


@dataclass
class AccountRow:
    """An account of the page, with its tier per scheme id and its coverage model's name.

    Other attributes are the account's, so a row serializes as the account does.
    """

    account: Account
    tiers: dict[int, str | None]
    coverage_model: str | None
    keys: dict[int, str] = field(default_factory=dict, repr=False)

    def __getattr__(self, name: str):
        return getattr(self.account, name)

    @property
    def tiers_by_key(self) -> dict[str, str | None]:
        """Return the tiers keyed by scheme key, as the API shows them."""
        return {self.keys[s]: tier for s, tier in self.tiers.items()}


@dataclass
class AccountPage:
    """A page of the list; `total` is exact unless `more` says there are more than it."""

    page: int
    per_page: int
    items: list[AccountRow]
    total: int
    more: bool
    columns: list[TierColumn] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Return how many pages are known to exist."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        """Tell whether a page follows this one."""
        return self.page * self.per_page < self.total or self.more


def tier_columns(session: Session) -> list[TierColumn]:
    """Return the active schemes as list columns: value, needs, then segments by name."""
    schemes = session.execute(
        select(TierScheme.id, TierScheme.key, TierScheme.name, TierScheme.dimension).where(
            TierScheme.active.is_(True), TierScheme.dimension.in_(DIMENSIONS)
        )
    ).all()
    columns = [TierColumn(*scheme) for scheme in schemes]
    return sorted(columns, key=lambda c: (DIMENSIONS.index(c.dimension), c.name))


def listed_query(session: Session, actor: Actor, flt: AccountFilter) -> tuple[Select, list]:
    """Return the filtered list query with its tier and coverage columns, and those columns."""
    columns = tier_columns(session)
    extra = [tier_of(c.scheme_id).label(f"tier_{c.scheme_id}") for c in columns]
    stmt = list_query(session, actor, flt)
    return stmt.add_columns(*extra, coverage_name().label("coverage_model")), columns


def listed_rows(rows, columns: list[TierColumn]) -> list[AccountRow]:
    """Return the rows of a listed_query as AccountRows."""
    keys = {c.scheme_id: c.key for c in columns}
    return [
        AccountRow(row[0], {c.scheme_id: row[1 + i] for i, c in enumerate(columns)}, row[-1], keys)
        for row in rows
    ]


def list_page(
    session: Session,
    actor: Actor,
    flt: AccountFilter,
    page: int,
    per_page: int,
    count_cap: int = COUNT_CAP,
) -> AccountPage:
    """Return one page of the actor's filtered list, its columns read in the page's one query.

    Rows are counted up to `count_cap` (or to the page asked for, if further), so the pager
    knows whether a next page exists without counting the whole filtered book.
    """
    stmt, columns = listed_query(session, actor, flt)
    # The page's ids first, then its columns: the tier and coverage look-ups run for the
    # page's rows only, not for every row before them.
    keys = read_page_keys(
        session, stmt.with_only_columns(Account.id), (page - 1) * per_page, per_page, count_cap
    )
    items: list[AccountRow] = []
    if keys.keys:
        rows = session.execute(stmt.where(Account.id.in_(keys.keys))).unique()
        items = listed_rows(rows, columns)
    return AccountPage(page, per_page, items, keys.total, keys.more, columns)


def tier_of(scheme_id: int) -> ColumnElement:
    """Return the account's current tier in a scheme, as a column of an Account query."""
    return (
        select(CurrentTier.tier)
        .where(CurrentTier.account_id == Account.id, CurrentTier.scheme_id == scheme_id)
        .scalar_subquery()
    )


def coverage_name() -> ColumnElement:
    """Return the name of the account's coverage model, as a column of an Account query."""
    return (
        select(CoverageModel.name)
        .join(AccountCoverage, AccountCoverage.coverage_model_id == CoverageModel.id)
        .where(AccountCoverage.account_id == Account.id)
        .scalar_subquery()
    )
