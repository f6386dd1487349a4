"""The current_tiers view holds what the tier blocks decode to, after every path that moves tiers."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.extensions import db
from cstier.models import Account, TierScheme
from cstier.services.imports.run import ImportRequest, import_file
from cstier.services.tiering import overrides
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from cstier.store.sizes import BatchSizes
from cstier.store.tier_blocks import read_current_tiers, store_tiers
from tests.factories import AccountFactory, CompanyFactory

JAN = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
# ARR in dollars across the value bands (Scale < 50k ≤ Growth < 250k ≤ Strategic).
ARRS = [1_000, 49_000, 60_000, 120_000, 240_000, 260_000, 900_000, 30_000, 75_000, 400_000]


def from_view() -> set[tuple]:
    """Return (account_id, scheme_key, dimension, scheme_name, tier) as SQL readers see them."""
    with Session(db.engine) as fresh:
        rows = fresh.execute(
            text("SELECT account_id, scheme_key, dimension, scheme_name, tier FROM current_tiers")
        ).all()
    return {tuple(r) for r in rows}


def from_blocks() -> set[tuple]:
    """Return the same tuples from what the blocks decode to."""
    with Session(db.engine) as fresh:
        schemes = {s.id: s for s in fresh.scalars(select(TierScheme))}
        frames = read_current_tiers(fresh, list(schemes))
        return {
            (int(a), schemes[s].key, schemes[s].dimension, schemes[s].name, str(t))
            for s, frame in frames.items()
            for a, t in frame.itertuples(index=False)
        }


def agree() -> int:
    """Assert the view and the blocks hold the same tiers; return how many."""
    view, blocks = from_view(), from_blocks()
    assert view == blocks
    return len(view)


@pytest.fixture
def book(db_session):
    ensure_default_schemes(db_session)
    company = CompanyFactory(employees=5000, region="EMEA", industry="Software")
    accounts = [
        AccountFactory(name=f"A{i}", external_id=f"AC-{i}", company=company, arr_cents=arr * 100)
        for i, arr in enumerate(ARRS)
    ]
    db_session.commit()
    return company, accounts


def retier(admin, sizes: BatchSizes) -> None:
    run_tiering(db.session, Actor(admin.id, "admin"), trigger="cli", now=JAN, sizes=sizes)


@pytest.mark.parametrize("flush_rows", [1, 7, 500_000])
def test_runs_overrides_imports_and_clearing_keep_the_view_equal_to_the_blocks(
    db_session, admin, book, tmp_path, flush_rows
):
    company, accounts = book
    sizes = BatchSizes(tier_flush_rows=flush_rows)
    retier(admin, sizes)
    schemes = len(db_session.scalars(select(TierScheme)).all())
    assert agree() == len(ARRS) * schemes  # a first run writes every row

    # ARR moves across a band: the next run changes those rows only.
    db_session.execute(
        db.update(Account).where(Account.id == accounts[0].id).values(arr_cents=500_000_00)
    )
    db_session.commit()
    retier(admin, sizes)
    agree()
    assert "Strategic" in {t for a, k, *_, t in from_view() if a == accounts[0].id}

    value = db_session.scalar(select(TierScheme).where(TierScheme.key == "value_tiers"))
    overrides.create_override(
        db_session, Actor(admin.id, "admin"), account_id=accounts[6].id, scheme_id=value.id,
        tier="Scale", reason="pilot", expires_at=None, now=JAN,
    )  # fmt: skip
    retier(admin, sizes)
    agree()
    assert (accounts[6].id, "value_tiers", "value", value.name, "Scale") in from_view()

    upload = tmp_path / "accounts.csv"
    upload.write_text(
        "external_id,name,unit_type,company_external_id,lifecycle_stage,arr\n"
        f"AC-1,A1,company,{company.external_id},active,300000\n"
        f"AC-9,A9,company,{company.external_id},active,1000\n"
    )
    admin_actor = Actor(admin.id, "admin")
    outcome = import_file(
        db_session,
        ImportRequest("accounts", upload, upload.name, actor=admin_actor, retier=True, sizes=sizes),
        now=JAN,
    )
    assert outcome.ok and outcome.retier_run_id
    agree()

    # Clearing tiers (None) removes their rows; a repeated tier writes nothing new.
    cleared = [accounts[2].id, accounts[3].id]
    store_tiers(db_session, value.id, cleared + [accounts[4].id], [None, None, "Growth"])
    db_session.commit()
    assert agree() == len(ARRS) * schemes - 2
    assert not {a for a, k, *_ in from_view() if k == "value_tiers"} & set(cleared)


def test_the_view_reads_the_analysts_query_on_either_engine(db_session, admin, book):
    retier(admin, BatchSizes())
    with Session(db.engine) as fresh:
        strategic = fresh.scalars(
            text(
                "SELECT account_id FROM current_tiers "
                "WHERE scheme_key = 'value_tiers' AND tier = 'Strategic' ORDER BY account_id"
            )
        ).all()
    _, accounts = book
    assert strategic == [a.id for a, arr in zip(accounts, ARRS, strict=True) if arr >= 250_000]


def test_deleting_an_account_deletes_its_rows(db_session, admin, book):
    retier(admin, BatchSizes())
    _, accounts = book
    gone = accounts[0].id
    db_session.execute(db.delete(Account).where(Account.id == gone))
    db_session.commit()
    assert not {a for a, *_ in from_view()} & {gone}
