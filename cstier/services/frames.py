"""Read query results straight into DataFrames, column-wise, for the vectorised engines."""

import pandas as pd
from sqlalchemy import Select
from sqlalchemy.orm import Session


def read_frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """Run a Core select in the session's transaction and return its rows as a DataFrame.

    The DBAPI cursor's plain tuples are used as they are: building ORM Row objects for a
    million accounts costs more than the whole evaluation.
    """
    result = session.connection().execute(stmt)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
