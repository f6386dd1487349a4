"""Create, read, update and list accounts, within the actor's book, with an audit trail."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from cstier.domain.customer import ACCOUNT_UNITS, LIFECYCLE_STAGES, required_link
from cstier.domain.numbers import NOT_FINITE, non_finite_paths
from cstier.domain.permissions import Actor, can_edit_account, can_manage_book, can_view_account
from cstier.models import (
    Account,
    AccountCoverage,
    Company,
    Contact,
    CoverageModel,
    CurrentTier,
    Department,
    User,
)
from cstier.services import audit
from cstier.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from cstier.services.unit_of_work import unit_of_work
from cstier.store.bulk_reads import distinct_values

AUDITED_FIELDS = (
    "name",
    "external_id",
    "unit_type",
    "company_id",
    "department_id",
    "contact_id",
    "csm_id",
    "arr_cents",
    "plan",
    "lifecycle_stage",
    "contract_start_date",
    "renewal_date",
    "attributes",
)
MANAGER_ONLY_FIELDS = ("csm_id", "external_id", "company_id")

RENEWAL_HORIZON_DAYS = 90

SORTS = {
    "name": Account.name,
    "arr": Account.arr_cents,
    "renewal": Account.renewal_date,
    "stage": Account.lifecycle_stage,
    "company": Company.name,
    "region": Company.region,
}
TIER_SORT = "tier:"  # sort=tier:<scheme id> orders by that scheme's tier
COVERAGE_SORT = "coverage"


@dataclass
class AccountFilter:
    """What the account list is narrowed to and sorted by."""

    q: str | None = None
    lifecycle_stage: str | None = None
    region: str | None = None
    industry: str | None = None
    plan: str | None = None
    csm_id: int | None = None
    unassigned: bool = False
    company_id: int | None = None
    arr_min: float | None = None
    arr_max: float | None = None
    renewal_after: date | None = None
    renewal_before: date | None = None
    tier_scheme_id: int | None = None
    tier: str | None = None
    coverage_model_id: int | None = None
    sort: str = "name"
    descending: bool = False
    extra: dict = field(default_factory=dict)


def scoped(stmt: Select, actor: Actor) -> Select:
    """Limit a query on Account to the accounts the actor may see."""
    if actor.role == "csm":
        return stmt.where(Account.csm_id == actor.user_id)
    return stmt


def list_query(session: Session, actor: Actor, flt: AccountFilter) -> Select:
    """Build the filtered, sorted account query; the caller paginates it."""
    stmt = select(Account).options(joinedload(Account.company), joinedload(Account.csm))
    if flt.region or flt.industry or flt.sort in ("company", "region"):
        # Only then: the list's count would otherwise probe company once per counted row.
        stmt = stmt.join(Company, Account.company_id == Company.id)
    stmt = scoped(stmt, actor)
    if flt.q:
        # lower() on both sides, as the trigram indexes of migration 0036 are built.
        like = f"%{flt.q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Account.name).like(like), func.lower(Account.external_id).like(like))
        )
    if flt.lifecycle_stage:
        stmt = stmt.where(Account.lifecycle_stage == flt.lifecycle_stage)
    if flt.region:
        stmt = stmt.where(Company.region == flt.region)
    if flt.industry:
        stmt = stmt.where(Company.industry == flt.industry)
    if flt.plan:
        stmt = stmt.where(Account.plan == flt.plan)
    if flt.unassigned:
        stmt = stmt.where(Account.csm_id.is_(None))
    elif flt.csm_id:
        stmt = stmt.where(Account.csm_id == flt.csm_id)
    if flt.company_id:
        stmt = stmt.where(Account.company_id == flt.company_id)
    if flt.arr_min is not None:
        stmt = stmt.where(Account.arr_cents >= round(flt.arr_min * 100))
    if flt.arr_max is not None:
        stmt = stmt.where(Account.arr_cents <= round(flt.arr_max * 100))
    if flt.tier_scheme_id and flt.tier:
        stmt = stmt.where(
            exists().where(
                CurrentTier.account_id == Account.id,
                CurrentTier.scheme_id == flt.tier_scheme_id,
                CurrentTier.tier == flt.tier,
            )
        )
    if flt.coverage_model_id:
        stmt = stmt.where(
            exists().where(
                AccountCoverage.account_id == Account.id,
                AccountCoverage.coverage_model_id == flt.coverage_model_id,
            )
        )
    if flt.renewal_after:
        stmt = stmt.where(Account.renewal_date >= flt.renewal_after)
    if flt.renewal_before:
        stmt = stmt.where(Account.renewal_date <= flt.renewal_before)
    stmt, column = _sorted_by(stmt, flt.sort)
    if flt.q and column is Account.name:
        # Matches first, then their order: walking the name index would pass every name
        # that does not match (half a million before "Account 50…" in a big book).
        column = func.lower(Account.name)
    order = column.desc() if flt.descending else column.asc()
    return stmt.order_by(order, Account.id)


def tier_sort(scheme_id: int) -> str:
    """Return the sort key that orders the list by one scheme's tier."""
    return f"{TIER_SORT}{scheme_id}"


def _sorted_by(stmt: Select, sort: str) -> tuple[Select, ColumnElement]:
    """Return the statement joined to what `sort` orders by, and that column."""
    if sort == COVERAGE_SORT:
        coverage = aliased(AccountCoverage)
        model = aliased(CoverageModel)
        stmt = stmt.outerjoin(coverage, coverage.account_id == Account.id).outerjoin(
            model, model.id == coverage.coverage_model_id
        )
        return stmt, model.name
    scheme_id = sort.removeprefix(TIER_SORT)
    if sort.startswith(TIER_SORT) and scheme_id.isdigit():
        held = aliased(CurrentTier)
        joined = and_(held.account_id == Account.id, held.scheme_id == int(scheme_id))
        return stmt.outerjoin(held, joined), held.tier
    return stmt, SORTS.get(sort, Account.name)


def company_accounts(session: Session, actor: Actor, company_id: int) -> list[Account]:
    """Return a company's accounts the actor may see, largest ARR first."""
    stmt = scoped(select(Account).where(Account.company_id == company_id), actor)
    return list(session.scalars(stmt.order_by(Account.arr_cents.desc())))


def get_account(session: Session, actor: Actor, account_id: int) -> Account:
    """Return one account the actor may see, or raise NotFound (never reveal others' accounts)."""
    account = session.get(Account, account_id)
    if account is None or not can_view_account(actor, account.csm_id):
        raise NotFound(f"No account with id {account_id}.")
    return account


def _validate_links(session: Session, values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    unit = values.get("unit_type")
    if unit not in ACCOUNT_UNITS:
        errors["unit_type"] = [f"Unit must be one of {', '.join(ACCOUNT_UNITS)}."]
    if values.get("lifecycle_stage") not in LIFECYCLE_STAGES:
        errors["lifecycle_stage"] = [f"Stage must be one of {', '.join(LIFECYCLE_STAGES)}."]
    if (values.get("arr_cents") or 0) < 0:
        errors["arr"] = ["ARR cannot be negative."]
    company_id = values.get("company_id")
    if not company_id or session.get(Company, company_id) is None:
        errors["company_id"] = ["Choose an existing company."]
    dept_id, contact_id = values.get("department_id"), values.get("contact_id")
    if dept_id:
        dept = session.get(Department, dept_id)
        if dept is None or dept.company_id != company_id:
            errors["department_id"] = ["The department must belong to the account's company."]
    if contact_id:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.company_id != company_id:
            errors["contact_id"] = ["The contact must belong to the account's company."]
    link = required_link(unit) if unit in ACCOUNT_UNITS else None
    if link and not values.get(f"{link}_id"):
        errors[f"{link}_id"] = [f"An account whose unit is {unit} needs a {link}."]
    csm_id = values.get("csm_id")
    if csm_id:
        csm = session.get(User, csm_id)
        if csm is None or not csm.active or csm.role != "csm":
            errors["csm_id"] = ["The owner must be an active CSM."]
    start, renewal = values.get("contract_start_date"), values.get("renewal_date")
    if start and renewal and renewal < start:
        errors["renewal_date"] = ["The renewal date cannot be before the contract start."]
    return errors


def _attribute_errors(attributes: dict | None) -> dict[str, list[str]]:
    # A NaN or infinite value breaks every run on SQLite and is refused by PostgreSQL's JSONB.
    return {
        f"attributes.{path}": [f"Custom attribute {path} {NOT_FINITE}."]
        for path in non_finite_paths(attributes or {})
    }


def create_account(session: Session, actor: Actor, values: dict) -> Account:
    """Create an account (managers only); validate links; audit it."""
    with unit_of_work(session):
        if not can_manage_book(actor):
            raise Forbidden("Only managers and admins create accounts.")
        values = {
            "unit_type": "company",
            "lifecycle_stage": "onboarding",
            "attributes": {},
            **values,
        }
        errors = _validate_links(session, values) | _attribute_errors(values.get("attributes"))
        external_id = values.get("external_id")
        if external_id and session.scalar(
            select(Account.id).where(Account.external_id == external_id)
        ):
            errors["external_id"] = [f"Another account already uses external id {external_id}."]
        if errors:
            raise ValidationFailed("The account was not saved.", errors)
        account = Account(**values)
        session.add(account)
        session.flush()
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="account",
            entity_id=account.id,
            action="create",
            before=None,
            after=audit.snapshot(account, AUDITED_FIELDS),
        )
    return account


def update_account(
    session: Session, actor: Actor, account_id: int, values: dict, expected_version: int
) -> Account:
    """Apply an edit if the actor may and nobody saved in between; audit before and after."""
    with unit_of_work(session):
        account = get_account(session, actor, account_id)
        if not can_edit_account(actor, account.csm_id):
            raise Forbidden("You can only edit accounts in your own book.")
        if not can_manage_book(actor):
            for name in MANAGER_ONLY_FIELDS:
                if name in values and values[name] != getattr(account, name):
                    raise Forbidden(
                        "Only managers change an account's owner, company or external id."
                    )
        if account.version != expected_version:
            raise Conflict(
                "Someone else saved this account after you opened it. "
                "Reload to see their changes, then apply yours again."
            )
        merged = {**audit.snapshot(account, AUDITED_FIELDS), **values}
        for name in ("contract_start_date", "renewal_date"):
            if isinstance(merged.get(name), str):
                merged[name] = date.fromisoformat(merged[name])
        errors = _validate_links(session, merged) | _attribute_errors(values.get("attributes"))
        external_id = values.get("external_id")
        if external_id and external_id != account.external_id:
            taken = session.scalar(select(Account.id).where(Account.external_id == external_id))
            if taken:
                errors["external_id"] = [f"Another account already uses external id {external_id}."]
        if errors:
            raise ValidationFailed("The account was not saved.", errors)
        before = audit.snapshot(account, AUDITED_FIELDS)
        for name, value in values.items():
            setattr(account, name, value)
        try:
            session.flush()
        except StaleDataError as exc:
            session.rollback()
            raise Conflict(
                "Someone else saved this account at the same moment. Reload and retry."
            ) from exc
        audit.record(
            session,
            actor_id=actor.user_id,
            entity_type="account",
            entity_id=account.id,
            action="update",
            before=before,
            after=audit.snapshot(account, AUDITED_FIELDS),
        )
    return account


def book_summary(session: Session, actor: Actor) -> dict:
    """Return counts and ARR of the visible book, overall and by lifecycle stage and region."""
    base = scoped(select(Account).join(Company, Account.company_id == Company.id), actor).subquery()
    totals = session.execute(
        select(func.count(), func.coalesce(func.sum(base.c.arr_cents), 0))
    ).one()
    by_stage = session.execute(
        select(
            base.c.lifecycle_stage, func.count(), func.coalesce(func.sum(base.c.arr_cents), 0)
        ).group_by(base.c.lifecycle_stage)
    ).all()
    region_stmt = (
        select(
            Company.region, func.count(Account.id), func.coalesce(func.sum(Account.arr_cents), 0)
        )
        .join(Company, Account.company_id == Company.id)
        .group_by(Company.region)
        .order_by(Company.region)
    )
    by_region = session.execute(scoped(region_stmt, actor)).all()
    renewals_stmt = select(func.count(Account.id)).where(
        Account.renewal_date >= date.today(),
        Account.renewal_date <= date.today() + timedelta(days=RENEWAL_HORIZON_DAYS),
    )
    unassigned = 0
    if actor.role != "csm":
        unassigned = session.scalar(select(func.count(Account.id)).where(Account.csm_id.is_(None)))
    stage_rows = {stage: (count, arr) for stage, count, arr in by_stage}
    return {
        "accounts": totals[0],
        "arr_cents": int(totals[1]),
        "by_stage": [
            {
                "stage": key,
                "label": label,
                "accounts": stage_rows.get(key, (0, 0))[0],
                "arr_cents": int(stage_rows.get(key, (0, 0))[1]),
            }
            for key, label in LIFECYCLE_STAGES.items()
        ],
        "by_region": [
            {"region": region or "Unknown", "accounts": count, "arr_cents": int(arr)}
            for region, count, arr in by_region
        ],
        "unassigned": unassigned,
        "renewals_due": session.scalar(scoped(renewals_stmt, actor)),
    }


def filter_choices(session: Session, actor: Actor) -> dict[str, list]:
    """Return the regions, industries and coverage models the filter dropdowns offer."""
    if actor.role == "csm":
        in_book = Company.id.in_(scoped(select(Account.company_id), actor))

        def distinct(column) -> list[str]:
            stmt = select(column).where(in_book).distinct().order_by(column)
            return [v for v in session.scalars(stmt) if v]

        regions, industries = distinct(Company.region), distinct(Company.industry)
    else:
        # The whole book: step through the indexes instead of reading every company.
        regions = [v for v in distinct_values(session, Company.__table__.c.region) if v]
        industries = [v for v in distinct_values(session, Company.__table__.c.industry) if v]
    return {
        "regions": regions,
        "industries": industries,
        "coverage_models": [
            tuple(m) for m in session.execute(select(CoverageModel.id, CoverageModel.name))
        ],
    }
