"""A week's net moves computed in SQL: only the grouped shapes of the review come back.

`changes` is a select from tier_change of the week's changes with the columns of
domain.reports.net_moves.CHANGE_COLUMNS. Moves (rows with a from tier) and first tierings
are read apart: a move's from tier is the tier the account held, so a key's net move runs
from its first move's from tier to its last move's to tier, and a first tiering only counts
when the key did not also move. The moves come from the partial index of moves by time, so a
week of first tierings (a new book's) costs the moves nothing; the net moves stay in the
database and only their from→to pairs, the top movers per scheme and the count of accounts
that moved are read back, in one statement.
"""

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from cstier.domain.reports.net_moves import MOVER_COLUMNS, PAIR_COLUMNS, WeekMoves
from cstier.models import Account, TierChange, TierScheme
from cstier.store.bulk_writes import large_work_mem

PAIRS, MOVERS, ACCOUNTS = "pairs", "movers", "accounts"
TIERED_THEN_MOVED = "tiered_then_moved"
# A run's store gives up rather than hold the page totals back behind a long writer.
SETTLE_TIMEOUT = "10s"


def settled_change_point(session: Session) -> int:
    """Return the last tier change id once every change with a smaller id has committed.

    PostgreSQL hands out ids before commit, so a writer in flight may hold a smaller id than
    the largest committed one; a SHARE lock waits for writers in flight and keeps new ones
    out while the largest id is read (the caller ends the transaction at once). SQLite lets
    one transaction write at a time, so its largest id always is such a point.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{SETTLE_TIMEOUT}'"))
        session.execute(text("LOCK TABLE tier_change IN SHARE MODE"))
    return session.scalar(select(func.coalesce(func.max(TierChange.id), 0)))


def read_week_moves(session: Session, changes: Select, top_n: int) -> WeekMoves:
    """Return the week's net moves grouped as the review needs them (see WeekMoves)."""
    week = changes.order_by(None)
    moves = week.where(TierChange.from_tier.is_not(None)).subquery("moves")
    # Schemes are never deleted: naming them lets PostgreSQL range-scan (scheme_id, at) per
    # scheme for the week's first tierings instead of reading the whole history.
    scheme_ids = list(session.scalars(select(TierScheme.id)))
    firsts = week.where(
        TierChange.from_tier.is_(None), TierChange.scheme_id.in_(scheme_ids)
    ).subquery("firsts")
    whole_key = {
        "partition_by": (moves.c.scheme_id, moves.c.account_id),
        "order_by": (moves.c.at, moves.c.change_id),
        "rows": (None, None),
    }
    # One window definition for every function, so the engine sorts the week's moves once.
    ordered = select(
        moves.c.scheme_id,
        moves.c.account_id,
        func.coalesce(moves.c.arr_cents, 0).label("arr_cents"),
        func.row_number().over(**whole_key).label("position"),
        func.count().over(**whole_key).label("moves"),
        func.first_value(moves.c.from_tier).over(**whole_key).label("from_tier"),
        func.last_value(moves.c.to_tier).over(**whole_key).label("to_tier"),
    ).subquery("ordered")
    net = (
        select(
            ordered.c.scheme_id,
            ordered.c.account_id,
            ordered.c.arr_cents,
            ordered.c.moves,
            ordered.c.from_tier,
            ordered.c.to_tier,
        )
        .where(ordered.c.position == 1)
        .cte("net")
    )
    # One pass over the first tierings: those of keys that also moved only add change rows.
    moved_key = tuple_(firsts.c.scheme_id, firsts.c.account_id).in_(
        select(net.c.scheme_id, net.c.account_id)
    )
    tierings = (
        select(
            firsts.c.scheme_id,
            firsts.c.to_tier,
            moved_key.label("moved"),
            func.count().label("rows"),
            func.sum(func.coalesce(firsts.c.arr_cents, 0)).label("arr_cents"),
        )
        .group_by(firsts.c.scheme_id, firsts.c.to_tier, moved_key)
        .cte("tierings")
    )
    moved = net.c.from_tier != net.c.to_tier
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
            cast(func.sum(net.c.moves), BigInteger).label("rows"),
            cast(func.sum(net.c.moves), BigInteger).label("moves"),
        ).group_by(net.c.scheme_id, net.c.from_tier, net.c.to_tier),
        # Newly tiered: first tierings of keys that did not move in the week.
        select(
            literal(PAIRS),
            tierings.c.scheme_id,
            no_text,
            tierings.c.to_tier,
            cast(null(), Integer),
            no_text,
            cast(tierings.c.rows, BigInteger),
            cast(tierings.c.arr_cents, BigInteger),
            cast(tierings.c.rows, BigInteger),
            cast(literal(0), BigInteger),
        ).where(tierings.c.moved.is_(False)),
        select(
            literal(TIERED_THEN_MOVED),
            tierings.c.scheme_id,
            no_text,
            no_text,
            cast(null(), Integer),
            no_text,
            no_number,
            no_number,
            cast(func.sum(tierings.c.rows), BigInteger),
            no_number,
        )
        .where(tierings.c.moved.is_(True))
        .group_by(tierings.c.scheme_id),
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
        {row["scheme_id"]: row["rows"] for row in rows if row["kind"] == TIERED_THEN_MOVED},
    )
