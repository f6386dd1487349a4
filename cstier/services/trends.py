"""The book after each run: tier mix and coverage headcount stored per run, read back by week."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cstier.domain.coverage.headcount import current_headcount, required_headcount
from cstier.domain.reports.weeks import week_label
from cstier.domain.trends import (
    MOVE_MEASURES,
    move_totals,
    moves_into,
    rewind,
    totals_by,
    week_starts,
    weekly_points,
    weekly_sums,
)
from cstier.models import (
    Account,
    CoverageChange,
    CoverageMixSnapshot,
    TierChange,
    TieringRun,
    TierMixSnapshot,
    TierScheme,
)
from cstier.models.base import utcnow
from cstier.services import reports
from cstier.services.coverage import coverage_reads
from cstier.services.coverage.tiers import active_scheme_id
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import read_frame
from cstier.store.tier_blocks import read_current_tiers

TREND_WEEKS = 12


@dataclass
class BackfillSummary:
    """How many runs got snapshots."""

    runs: int


@dataclass
class RunMix:
    """The tier mix and moves a run leaves, gathered from what it holds as it writes.

    A run's book holds every account, in account id order: `account_ids`, with `arr_cents`
    (the ARR field) in the same order. `churned`: the ids of churned accounts, which keep
    their tiers but leave coverage; `owned`: by account id, the csm_id of owned accounts.
    A run adds each scheme as it writes it, then records the lot with the coverage it
    derived, so nothing of the book is read again.
    """

    account_ids: np.ndarray
    arr_cents: np.ndarray
    churned: np.ndarray
    owned: pd.DataFrame
    tiers: list[pd.DataFrame] = field(default_factory=list)
    moves: list[pd.DataFrame] = field(default_factory=list)

    def add_scheme(self, scheme_id: int, result: pd.DataFrame, changes: pd.DataFrame) -> None:
        """Count one scheme's tiers after the run and its moves.

        `result` holds the tier of every account of the book: what the run leaves stored.
        """
        mix = totals_by(result["tier"], self._arr(result["account_id"]))
        self.tiers.append(mix.rename(columns={"key": "tier"}).assign(scheme_id=scheme_id))
        moved = move_totals(changes, self._arr(changes["account_id"]))
        self.moves.append(moved.assign(scheme_id=scheme_id))

    def record(self, session: Session, run_id: int, now: datetime, models: pd.Series) -> None:
        """Store the mix with each tier's moves, and the headcount of `models` (model by account).

        In the caller's transaction (no commit): a run calls it after its writes.
        """
        columns = ["scheme_id", "tier", "accounts", "arr_cents"]
        tiers = pd.concat(self.tiers, ignore_index=True) if self.tiers else None
        tiers = tiers[columns] if tiers is not None else pd.DataFrame(columns=columns)
        moves = pd.concat(self.moves, ignore_index=True) if self.moves else None
        into = moves_into(moves, reports.scheme_tiers(session)) if moves is not None else None
        if into is None:
            into = pd.DataFrame(columns=["scheme_id", "tier", *MOVE_MEASURES])
        customers = models[~models.index.isin(self.churned)]
        per_model = totals_by(customers, self._arr(customers.index))
        per_model = per_model.rename(columns={"key": "coverage_model_id"})
        per_model["coverage_model_id"] = per_model["coverage_model_id"].astype("int64")
        owned = pd.DataFrame(
            {
                "account_id": self.owned.index.to_numpy(),
                "csm_id": self.owned["csm_id"].to_numpy(),
                "coverage_model_id": models.reindex(self.owned.index).to_numpy(),
                "arr_cents": self._arr(self.owned.index),
            }
        )
        mix = model_mix(session, per_model, owned)
        _insert(session, run_id, now, _with_moves(tiers, into), mix)

    def _arr(self, account_ids) -> np.ndarray:
        """Return the ARR field of these accounts (0 for an account outside the book)."""
        ids = np.asarray(account_ids, dtype=np.int64)
        if len(ids) == len(self.account_ids) and np.array_equal(ids, self.account_ids):
            return self.arr_cents  # a scheme's result runs in the book's order
        if not len(self.account_ids):
            return np.zeros(len(ids), dtype=np.int64)
        at = np.searchsorted(self.account_ids, ids).clip(max=len(self.account_ids) - 1)
        return np.where(self.account_ids[at] == ids, self.arr_cents[at], 0)


def backfill_tier_mix(session: Session, now: datetime | None = None) -> BackfillSummary:
    """Give every finished run without snapshots one, rewinding today's mix through the history.

    Moves made outside runs (overrides, imports) are not rewound, and ARR is each account's
    today; the current FTE per model is today's for every past run.
    """
    with unit_of_work(session):
        now = now or utcnow()
        runs = session.execute(
            select(TieringRun.id, TieringRun.finished_at, TieringRun.started_at)
            .where(TieringRun.status == "succeeded", TieringRun.dry_run.is_(False))
            .order_by(TieringRun.id.desc())
        ).all()
        done = set(session.scalars(select(TierMixSnapshot.run_id).distinct()))
        tiers = current_tier_mix(session).set_index(["scheme_id", "tier"])
        models = current_model_mix(session).set_index("coverage_model_id")
        schemes = reports.scheme_tiers(session)
        tier_moves = _tier_moves(session)
        model_moves = _model_moves(session)
        filled = 0
        for run_id, finished_at, started_at in runs:
            moves = tier_moves[tier_moves["run_id"] == run_id]
            if run_id not in done:
                mix = _with_moves(tiers.reset_index(), moves_into(moves, schemes))
                _insert(session, run_id, finished_at or started_at, mix, models.reset_index())
                filled += 1
            tiers = _rewind_tiers(tiers, moves)
            models = _rewind_models(session, models, model_moves[model_moves["run_id"] == run_id])
    return BackfillSummary(runs=filled)


def current_tier_mix(session: Session) -> pd.DataFrame:
    """Return scheme_id, tier, accounts, arr_cents of every active scheme's current tiers."""
    scheme_ids = list(session.scalars(select(TierScheme.id).where(TierScheme.active.is_(True))))
    arr = read_frame(session, select(Account.id, Account.arr_cents), ["account_id", "arr_cents"])
    arr = arr.set_index("account_id")["arr_cents"]
    parts = []
    for scheme_id, held in read_current_tiers(session, scheme_ids).items():
        held = held.assign(arr_cents=arr.reindex(held["account_id"]).fillna(0).to_numpy())
        mix = held.groupby("tier", observed=True).agg(
            accounts=("account_id", "size"), arr_cents=("arr_cents", "sum")
        )
        parts.append(mix.reset_index().assign(scheme_id=scheme_id))
    columns = ["scheme_id", "tier", "accounts", "arr_cents"]
    if not parts:
        return pd.DataFrame(columns=columns)
    mix = pd.concat(parts, ignore_index=True)
    mix["tier"] = mix["tier"].astype(str)
    return mix[columns]


def current_model_mix(session: Session) -> pd.DataFrame:
    """Return per coverage model: accounts, arr_cents, required_csms and current_fte now."""
    totals = coverage_reads.model_arr_totals(session)
    per_model = pd.DataFrame(
        {
            "coverage_model_id": totals.index,
            "accounts": totals["accounts"].to_numpy(),
            "arr_cents": totals["arr_cents"].to_numpy(),
        }
    )
    return model_mix(session, per_model, coverage_reads.owned_book_frame(session))


def model_mix(session: Session, per_model: pd.DataFrame, owned: pd.DataFrame) -> pd.DataFrame:
    """Return the headcount beside per-model totals (coverage_model_id, accounts, arr_cents).

    `owned`: the owned book (account_id, csm_id, coverage_model_id, arr_cents). Columns:
    coverage_model_id, accounts, arr_cents, required_csms and current_fte, the FTE of the
    CSMs serving each model by where their owned book's load is.
    """
    models = coverage_reads.models_frame(session)
    plan = required_headcount(per_model, models)
    fte = current_headcount(owned, coverage_reads.csms_frame(session), models)
    plan["current_fte"] = plan["coverage_model_id"].map(fte).fillna(0.0)
    return plan[["coverage_model_id", "accounts", "arr_cents", "required", "current_fte"]].rename(
        columns={"required": "required_csms"}
    )


def tier_mix_trend(
    session: Session, scheme_id: int, today: date, weeks: int = TREND_WEEKS
) -> pd.DataFrame:
    """Return week, key (tier), accounts, arr_cents for the last weeks of a scheme."""
    snap = TierMixSnapshot
    stmt = select(snap.run_id, snap.at, snap.tier, snap.accounts, snap.arr_cents).where(
        snap.scheme_id == scheme_id
    )
    columns = ["run_id", "at", "key", "accounts", "arr_cents"]
    return _weekly(session, stmt, snap, columns, today, weeks)


def tier_moves_by_week(
    session: Session, scheme_id: int, today: date, weeks: int = TREND_WEEKS
) -> pd.DataFrame:
    """Return week, key (tier), up, down, arr_up_cents, arr_down_cents summed over each week's runs."""
    snap = TierMixSnapshot
    mondays = week_starts(today, weeks)
    first = datetime.combine(mondays[0], time.min, tzinfo=UTC)
    stmt = select(snap.run_id, snap.at, snap.tier, *(getattr(snap, m) for m in MOVE_MEASURES))
    stmt = stmt.where(snap.scheme_id == scheme_id, snap.at >= first)
    frame = read_frame(session, stmt, ["run_id", "at", "key", *MOVE_MEASURES])
    return weekly_sums(frame, mondays, MOVE_MEASURES)


def moves_between(
    session: Session, scheme_id: int, starts_at: datetime, ends_at: datetime
) -> pd.DataFrame:
    """Return tier, up, down, arr_up_cents, arr_down_cents over the runs in [starts_at, ends_at)."""
    snap = TierMixSnapshot
    stmt = (
        select(snap.tier, *(func.sum(getattr(snap, m)) for m in MOVE_MEASURES))
        .where(snap.scheme_id == scheme_id, snap.at >= starts_at, snap.at < ends_at)
        .group_by(snap.tier)
    )
    return read_frame(session, stmt, ["tier", *MOVE_MEASURES])


def coverage_trend(session: Session, today: date, weeks: int = TREND_WEEKS) -> pd.DataFrame:
    """Return week, key (model id), accounts, arr_cents, required_csms, current_fte by week."""
    snap = CoverageMixSnapshot
    stmt = select(
        snap.run_id,
        snap.at,
        snap.coverage_model_id,
        snap.accounts,
        snap.arr_cents,
        snap.required_csms,
        snap.current_fte,
    )
    columns = ["run_id", "at", "key", "accounts", "arr_cents", "required_csms", "current_fte"]
    points = _weekly(session, stmt, snap, columns, today, weeks)
    points["current_fte"] = points["current_fte"].astype(float)
    return points


def _weekly(session: Session, stmt, table, columns: list[str], today: date, weeks: int):
    """Read the snapshots from the last run before the first week on, and pick one run a week."""
    mondays = week_starts(today, weeks)
    first = datetime.combine(mondays[0], time.min, tzinfo=UTC)
    previous = session.scalar(select(func.max(table.run_id)).where(table.at < first))
    stmt = stmt.where(table.run_id >= (previous or 0))
    return weekly_points(read_frame(session, stmt, columns), mondays)


def _insert(
    session: Session, run_id: int, at: datetime, tiers: pd.DataFrame, models: pd.DataFrame
) -> None:
    tier_rows = [
        {
            "run_id": run_id,
            "scheme_id": int(row.scheme_id),
            "tier": str(row.tier),
            "accounts": int(row.accounts),
            "arr_cents": int(row.arr_cents),
            **{name: int(getattr(row, name)) for name in MOVE_MEASURES},
            "at": at,
        }
        for row in tiers.itertuples(index=False)
    ]
    model_rows = [
        {
            "run_id": run_id,
            "coverage_model_id": int(row.coverage_model_id),
            "accounts": int(row.accounts),
            "arr_cents": int(row.arr_cents),
            "required_csms": int(row.required_csms),
            "current_fte": Decimal(str(round(float(row.current_fte), 2))),
            "at": at,
        }
        for row in models.itertuples(index=False)
    ]
    if tier_rows:
        session.execute(insert(TierMixSnapshot), tier_rows)
    if model_rows:
        session.execute(insert(CoverageMixSnapshot), model_rows)
    session.flush()


def _with_moves(mix: pd.DataFrame, into: pd.DataFrame) -> pd.DataFrame:
    """Return the mix with each tier's moves up and down into it (zero where none)."""
    merged = mix.merge(into, on=["scheme_id", "tier"], how="left")
    merged[MOVE_MEASURES] = merged[MOVE_MEASURES].fillna(0).astype("int64")
    return merged


def _tier_moves(session: Session) -> pd.DataFrame:
    stmt = (
        select(
            TierChange.run_id,
            TierChange.scheme_id,
            TierChange.from_tier,
            TierChange.to_tier,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .join(Account, Account.id == TierChange.account_id)
        .where(TierChange.run_id.is_not(None))
        .group_by(TierChange.run_id, TierChange.scheme_id, TierChange.from_tier, TierChange.to_tier)
    )
    columns = ["run_id", "scheme_id", "from_key", "to_key", "accounts", "arr_cents"]
    return read_frame(session, stmt, columns)


def _model_moves(session: Session) -> pd.DataFrame:
    stmt = (
        select(
            CoverageChange.run_id,
            CoverageChange.from_model_id,
            CoverageChange.to_model_id,
            func.count(),
            func.coalesce(func.sum(Account.arr_cents), 0),
        )
        .join(Account, Account.id == CoverageChange.account_id)
        .where(CoverageChange.run_id.is_not(None), CoverageChange.to_model_id.is_not(None))
        .group_by(CoverageChange.run_id, CoverageChange.from_model_id, CoverageChange.to_model_id)
    )
    return read_frame(session, stmt, ["run_id", "from_key", "to_key", "accounts", "arr_cents"])


def _rewind_tiers(tiers: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for scheme_id in set(tiers.index.get_level_values("scheme_id")) | set(moves["scheme_id"]):
        state = (
            tiers.xs(scheme_id, level="scheme_id")
            if scheme_id in tiers.index.get_level_values("scheme_id")
            else pd.DataFrame(columns=["accounts", "arr_cents"])
        )
        back = rewind(state, moves[moves["scheme_id"] == scheme_id])
        back.index.name = "tier"
        parts.append(back.reset_index().assign(scheme_id=scheme_id))
    if not parts:
        return tiers
    return pd.concat(parts, ignore_index=True).set_index(["scheme_id", "tier"])


def _rewind_models(session: Session, models: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    fte = models["current_fte"]
    back = rewind(models[["accounts", "arr_cents"]], moves)
    back.index.name = "coverage_model_id"
    per_model = back.reset_index()
    plan = required_headcount(per_model, coverage_reads.models_frame(session))
    plan = plan.set_index("coverage_model_id")
    plan["current_fte"] = fte.reindex(plan.index).fillna(0.0)
    return plan[["accounts", "arr_cents", "required", "current_fte"]].rename(
        columns={"required": "required_csms"}
    )


@dataclass
class TrendsReport:
    """Chart series for the trends page: tier mix, weekly moves and headcount per model."""

    schemes: list[dict]
    coverage: dict


def trends_report(session: Session, now: datetime | None = None) -> TrendsReport:
    """Return the last weeks of the value and needs schemes and of every coverage model."""
    today = (now or utcnow()).date()
    schemes = reports.scheme_tiers(session)
    shown = []
    for dimension in ("value", "needs"):
        scheme_id = active_scheme_id(session, dimension)
        if scheme_id is None or scheme_id not in schemes:
            continue
        scheme = schemes[scheme_id]
        mix = tier_mix_trend(session, scheme_id, today)
        moves = tier_moves_by_week(session, scheme_id, today)
        shown.append(
            {
                "scheme_id": scheme_id,
                "name": scheme.name,
                "dimension": dimension,
                "mix": mix_series(mix, scheme.tiers),
                "moves": moves_series(moves, mix),
            }
        )
    return TrendsReport(schemes=shown, coverage=coverage_series(session, today))


def mix_series(points: pd.DataFrame, tiers: tuple[str, ...]) -> dict:
    """Return {weeks, tiers: [{tier, accounts, arr}]} for a chart, top tier first."""
    if points.empty:
        return {"weeks": [], "tiers": []}
    weeks = sorted(points["week"].unique())
    held = set(points["key"])
    order = [t for t in tiers if t in held] + sorted(held - set(tiers))
    series = []
    for tier in order:
        mine = points[points["key"] == tier].set_index("week")
        series.append(
            {
                "tier": tier,
                "accounts": [int(v) for v in mine["accounts"].reindex(weeks, fill_value=0)],
                "arr": [
                    round(int(v) / 100) for v in mine["arr_cents"].reindex(weeks, fill_value=0)
                ],
            }
        )
    return {"weeks": [week_label(w) for w in weeks], "tiers": series}


def moves_series(moves: pd.DataFrame, mix: pd.DataFrame) -> dict:
    """Return {weeks, up, down} per week, over the weeks the mix has."""
    weeks = sorted(mix["week"].unique()) if len(mix) else []
    totals = moves.groupby("week")[["up", "down"]].sum() if len(moves) else None
    up = [int(totals.at[w, "up"]) if totals is not None and w in totals.index else 0 for w in weeks]
    down = [
        int(totals.at[w, "down"]) if totals is not None and w in totals.index else 0 for w in weeks
    ]
    return {"weeks": [week_label(w) for w in weeks], "up": up, "down": down}


def coverage_series(session: Session, today: date) -> dict:
    """Return {weeks, models: [{name, accounts, required, current}]} per coverage model."""
    points = coverage_trend(session, today)
    if points.empty:
        return {"weeks": [], "models": []}
    weeks = sorted(points["week"].unique())
    names = coverage_reads.models_frame(session).set_index("coverage_model_id")["name"]
    models = []
    for model_id, name in names.items():
        mine = points[points["key"] == model_id].set_index("week")
        models.append(
            {
                "name": name,
                "accounts": [int(v) for v in mine["accounts"].reindex(weeks, fill_value=0)],
                "required": [int(v) for v in mine["required_csms"].reindex(weeks, fill_value=0)],
                "current": [float(v) for v in mine["current_fte"].reindex(weeks, fill_value=0.0)],
            }
        )
    return {"weeks": [week_label(w) for w in weeks], "models": models}
