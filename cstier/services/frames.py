"""Read query results straight into DataFrames, column-wise, for the vectorised engines."""

import pandas as pd
from sqlalchemy import Connection, Select
from sqlalchemy.orm import Session


def read_frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """Run a Core select in the session's transaction and return its rows as a DataFrame.

    The DBAPI cursor's plain tuples are used as they are: building ORM Row objects for a
    million accounts costs more than the whole evaluation.
    """
    return read_frame_on(session.connection(), stmt, columns)


def read_frame_on(connection: Connection, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """Run a Core select on one connection (usable from a worker thread) into a DataFrame."""
    result = connection.execute(stmt)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
