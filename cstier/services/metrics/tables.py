"""Every metrics table as rows to export: one period's segments, the monthly trend."""

from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from cstier.domain.metrics.report import report_rows, trend_rows
from cstier.domain.permissions import Actor
from cstier.services.errors import ValidationFailed
from cstier.services.metrics.churn import churn, trend

TABLES = ("churn", "trend")


def metrics_table(
    session: Session,
    actor: Actor,
    table: str,
    *,
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    periods: int = 12,
) -> pd.DataFrame:
    """Return one metrics table as a frame: churn (needs start and end) or trend."""
    if table == "churn":
        if start is None or end is None:
            missing = "start" if start is None else "end"
            raise ValidationFailed(
                f"{missing}: a churn table needs a start and an end", {missing: ["required"]}
            )
        return pd.DataFrame(report_rows(churn(session, actor, start, end, by)))
    if table == "trend":
        return pd.DataFrame(trend_rows(trend(session, actor, periods=periods, by=by)))
    raise ValidationFailed(
        f"table: choose one of {', '.join(TABLES)}", {"table": ["unknown table"]}
    )
