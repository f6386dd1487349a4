"""Account rows at chosen ids, for store tests whose ids straddle tier-block boundaries."""

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cstier.models import Account, Company
from cstier.store.sequences import advance_id_sequences


def ensure_accounts(session: Session, ids: Iterable[int]) -> None:
    """Insert the accounts of `ids` not stored yet (current_tier rows need their account)."""
    wanted = {int(i) for i in ids}
    held = set(session.scalars(select(Account.id).where(Account.id.in_(wanted))))
    missing = sorted(wanted - held)
    if not missing:
        return
    company_id = session.scalar(select(Company.id).limit(1))
    if company_id is None:
        company = Company(external_id="CO-BLOCKS", name="Blocks Inc")
        session.add(company)
        session.flush()
        company_id = company.id
    session.execute(
        insert(Account),
        [
            {"id": i, "external_id": f"AC-{i}", "name": f"A{i}", "company_id": company_id}
            for i in missing
        ],
    )
    advance_id_sequences(session, [Account.__table__])
