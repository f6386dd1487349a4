"""The book as a tiering run reads it, once: accounts, current tiers, overrides and coverage."""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.tiering import Scheme, input_columns
from cstier.models import Account, TierOverride
from cstier.services.coverage.derive import CoverageInputs, StoredCoverage, stored_coverage
from cstier.services.metrics.churned import churned_account_ids
from cstier.services.tiering.fields import FIELD_ARR_CENTS, field_catalog, load_book
from cstier.services.trends import RunMix
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import read_current_tiers

# Book columns coverage reads when it flags owned accounts, as CoverageInputs names them.
FACT_COLUMNS = {FIELD_ARR_CENTS: "arr_cents", "region": "region", "industry": "vertical"}


@dataclass
class BookSnapshot:
    """Everything an evaluation reads from the database, read before anything is written.

    `accounts`: account_id and the schemes' fields, in account order; `tiers` (with any
    pending moves) and `overrides` by scheme id; `coverage`: the stored coverage and owners,
    None for a reader that needs no coverage (a dry run); a preview reads it; `churned`: the ids of
    churned accounts, whose tiers stay frozen.
    """

    accounts: pd.DataFrame
    tiers: dict[int, pd.DataFrame]
    overrides: dict[int, pd.DataFrame]
    coverage: StoredCoverage | None
    churned: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def take(self, scheme_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Hand over one scheme's current tiers and overrides, letting the snapshot drop them."""
        return self.tiers.pop(scheme_id), self.overrides.pop(scheme_id)

    def coverage_inputs(self, proposed: dict[str, pd.Series]) -> CoverageInputs:
        """Return what coverage derives from: the value and needs tiers a run just proposed.

        `proposed` maps "value" / "needs" to a tier column in account order; the book's ARR
        field, region and vertical go along so flagging owned accounts reads nothing again.
        """
        accounts = self.accounts["account_id"].to_numpy()
        untiered = pd.Series(pd.NA, index=self.accounts.index, dtype="object")
        tiers = pd.DataFrame(
            {
                "account_id": accounts,
                "value_tier": proposed.get("value", untiered).astype("object").to_numpy(),
                "needs_tier": proposed.get("needs", untiered).astype("object").to_numpy(),
            }
        )
        present = {c: name for c, name in FACT_COLUMNS.items() if c in self.accounts}
        facts = pd.DataFrame(
            {name: self.accounts[column].array for column, name in present.items()},
            index=pd.Index(accounts, name="account_id"),
        )
        return CoverageInputs(tiers=tiers, stored=self.coverage, facts=facts)

    def run_mix(self) -> RunMix:
        """Return the mix a run that writes gathers: its book's ids, ARR field, churn, owners."""
        arr = pd.to_numeric(self.accounts[FIELD_ARR_CENTS]).fillna(0).astype("int64")
        return RunMix(
            self.accounts["account_id"].to_numpy(np.int64),
            arr.to_numpy(),
            self.churned,
            self.coverage.owned_by_csm[["csm_id"]],
        )


def read_snapshot(
    session: Session,
    schemes: dict[int, Scheme],
    now: datetime,
    *,
    committed: bool,
    for_write: bool,
    extra_fields: frozenset[str] = frozenset(),
    chunk_rows: int | None = None,
) -> BookSnapshot:
    """Read the book once for the given parsed schemes (by scheme id).

    `committed`: the session holds no uncommitted change to the book, which may then be read
    on two connections at once. `for_write`: the reader will write tiers and coverage, so
    the stored coverage and the ARR field in cents (FIELD_ARR_CENTS) come too. `chunk_rows` is load_book's.
    """
    fields = set(extra_fields).union(*(input_columns(p) for p in schemes.values()))
    by_runs = any(p.hysteresis is not None and p.hysteresis.runs for p in schemes.values())
    # The book as it stands on the run's day: a run dated in the past reads that day's subscriptions.
    catalog = field_catalog(session)
    accounts = load_book(session, fields, catalog, committed, for_write, chunk_rows, day=now.date())
    if for_write and FIELD_ARR_CENTS not in accounts:
        # The run's tier mix and coverage weigh accounts by their ARR field, read by none of
        # these schemes: read the column alone rather than compute current ARR.
        accounts[FIELD_ARR_CENTS] = _arr_field(session, accounts["account_id"])
    tiers = read_current_tiers(session, list(schemes), with_pending=by_runs)
    overrides = {scheme_id: active_overrides(session, scheme_id) for scheme_id in schemes}
    coverage = stored_coverage(session, committed) if for_write else None
    return BookSnapshot(accounts, tiers, overrides, coverage, churned_account_ids(session))


def _arr_field(session: Session, account_ids: pd.Series) -> np.ndarray:
    """Return the ARR field in cents of the given accounts, in their order."""
    stored = read_frame(
        session, select(Account.id, Account.arr_cents), ["account_id", "arr_cents"]
    ).set_index("account_id")["arr_cents"]
    return stored.reindex(account_ids.to_numpy()).fillna(0).astype("int64").to_numpy()


def active_overrides(session: Session, scheme_id: int) -> pd.DataFrame:
    """Return the unrevoked overrides of one scheme, oldest first (expired ones included)."""
    stmt = (
        select(
            TierOverride.account_id, TierOverride.tier, TierOverride.reason, TierOverride.expires_at
        )
        .where(TierOverride.scheme_id == scheme_id, TierOverride.revoked_at.is_(None))
        .order_by(TierOverride.created_at, TierOverride.id)
    )
    return read_frame(session, stmt, ["account_id", "tier", "reason", "expires_at"])
