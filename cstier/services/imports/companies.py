"""Create a company per account, named after it, for an accounts file that names no companies."""

from datetime import datetime

import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from cstier.domain.imports import clean_text
from cstier.models import Company
from cstier.services.imports.reader import Source
from cstier.services.imports.refs import References

NAME_LENGTH = 200


def create_account_companies(
    session: Session, source: Source, feeds: dict[str, str], refs: References, now: datetime
) -> int:
    """Insert, in the import's transaction, the companies the accounts will name; return how many.

    Each account's company takes the account's external id and name; companies that exist
    already are left as they are. A failed or previewed import rolls them back with the rest.
    """
    wanted = {h: c for h, c in feeds.items() if c in ("external_id", "name")}
    if set(wanted.values()) != {"external_id", "name"}:
        return 0  # the required-column check reports what is missing
    created = 0
    for chunk in source.chunks(wanted, 50_000):
        text = clean_text(chunk)
        text = text[(text["external_id"] != "") & (text["name"] != "")]
        text = text.drop_duplicates("external_id")
        text = text[text["external_id"].str.len() <= 100]  # the account's own check reports it
        known = refs.lookup("companies", text["external_id"]).index
        new = text[~text["external_id"].isin(known)]
        if new.empty:
            continue
        rows = [
            {
                "external_id": external_id,
                "name": name[:NAME_LENGTH],
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for external_id, name in zip(new["external_id"], new["name"], strict=True)
        ]
        session.execute(insert(Company.__table__), rows)
        created += len(rows)
        refs.forget("companies")
    return created


def company_per_account(text: pd.DataFrame) -> pd.DataFrame:
    """Name each account's own company: the account's external id."""
    return text.assign(company_external_id=text["external_id"])
