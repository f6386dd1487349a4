"""A week's net moves computed in SQL: only the grouped shapes of the review come back.

`changes` is a select from tier_change of the week's changes with the columns of
domain.reports.net_moves.CHANGE_COLUMNS. One window over (scheme, account) ordered by
(at, change id) gives each key's first and last change; the net moves then stay in the
database and only their from→to pairs, the top movers per scheme and the count of accounts
that moved are read back, in one statement (the net moves are computed once and shared).
"""

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from cstier.domain.reports.net_moves import MOVER_COLUMNS, PAIR_COLUMNS, WeekMoves
from cstier.models import Account, TierChange, TierScheme
from cstier.store.bulk_writes import large_work_mem

PAIRS, MOVERS, ACCOUNTS = "pairs", "movers", "accounts"


def read_week_moves(session: Session, changes: Select, top_n: int) -> WeekMoves:
    """Return the week's net moves grouped as the review needs them (see WeekMoves)."""
    # Schemes are never deleted: naming them lets PostgreSQL range-scan (scheme_id, at) per
    # scheme instead of reading the whole history for one week.
    scheme_ids = list(session.scalars(select(TierScheme.id)))
    week = changes.order_by(None).where(TierChange.scheme_id.in_(scheme_ids)).subquery("week")
    whole_key = {
        "partition_by": (week.c.scheme_id, week.c.account_id),
        "order_by": (week.c.at, week.c.change_id),
        "rows": (None, None),
    }
    # One window definition for every function, so the engine sorts the week once.
    ordered = select(
        week.c.scheme_id,
        week.c.account_id,
        func.coalesce(week.c.arr_cents, 0).label("arr_cents"),
        func.row_number().over(**whole_key).label("position"),
        func.count().over(**whole_key).label("rows"),
        func.count(week.c.from_tier).over(**whole_key).label("moves"),
        func.first_value(week.c.from_tier).over(**whole_key).label("first_from"),
        func.first_value(week.c.to_tier).over(**whole_key).label("first_to"),
        func.last_value(week.c.to_tier).over(**whole_key).label("to_tier"),
    ).subquery("ordered")
    tiered_then_moved = and_(ordered.c.first_from.is_(None), ordered.c.rows > 1)
    net = (
        select(
            ordered.c.scheme_id,
            ordered.c.account_id,
            ordered.c.arr_cents,
            ordered.c.rows,
            ordered.c.moves,
            case((tiered_then_moved, ordered.c.first_to), else_=ordered.c.first_from).label(
                "from_tier"
            ),
            ordered.c.to_tier,
        )
        .where(ordered.c.position == 1)
        .cte("net")
    )
    moved = and_(net.c.from_tier.is_not(None), net.c.from_tier != net.c.to_tier)
    ranked = (
        select(
            net.c.scheme_id,
            net.c.account_id,
            net.c.from_tier,
            net.c.to_tier,
            net.c.arr_cents,
            func.row_number()
            .over(
                partition_by=net.c.scheme_id,
                order_by=(net.c.arr_cents.desc(), net.c.account_id),
            )
            .label("rank"),
        )
        .where(moved)
        .subquery("ranked")
    )
    no_text, no_number = cast(null(), String), cast(null(), BigInteger)
    statement = union_all(
        select(
            literal(PAIRS).label("kind"),
            net.c.scheme_id,
            net.c.from_tier,
            net.c.to_tier,
            cast(null(), Integer).label("account_id"),
            no_text.label("account_name"),
            cast(func.count(), BigInteger).label("accounts"),
            cast(func.sum(net.c.arr_cents), BigInteger).label("arr_cents"),
            cast(func.sum(net.c.rows), BigInteger).label("rows"),
            cast(func.sum(net.c.moves), BigInteger).label("moves"),
        ).group_by(net.c.scheme_id, net.c.from_tier, net.c.to_tier),
        select(
            literal(MOVERS),
            ranked.c.scheme_id,
            ranked.c.from_tier,
            ranked.c.to_tier,
            ranked.c.account_id,
            Account.name,
            no_number,
            cast(ranked.c.arr_cents, BigInteger),
            no_number,
            no_number,
        )
        .select_from(ranked.join(Account, Account.id == ranked.c.account_id))
        .where(ranked.c.rank <= top_n),
        select(
            literal(ACCOUNTS),
            cast(null(), Integer),
            no_text,
            no_text,
            cast(null(), Integer),
            no_text,
            cast(func.count(net.c.account_id.distinct()), BigInteger),
            no_number,
            no_number,
            no_number,
        ).where(moved),
    )
    with large_work_mem(session):
        rows = session.execute(statement).mappings().all()
    return WeekMoves.from_rows(
        [tuple(row[name] for name in PAIR_COLUMNS) for row in rows if row["kind"] == PAIRS],
        [tuple(row[name] for name in MOVER_COLUMNS) for row in rows if row["kind"] == MOVERS],
        next((row["accounts"] for row in rows if row["kind"] == ACCOUNTS), 0),
    )
