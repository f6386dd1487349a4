"""A CSM's book with a marker in every text it holds, for walks over the web UI."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.models import Handoff, ImportRun, TierChange, TierScheme
from cstier.models.base import utcnow
from cstier.services import workspace
from cstier.services.tiering import overrides, schemes
from tests.factories import (
    AccountFactory,
    CompanyFactory,
    ContactFactory,
    DepartmentFactory,
    SubscriptionFactory,
    UsageMetricFactory,
)


@dataclass
class Book:
    """The ids of one seeded book's objects."""

    company_id: int
    account_id: int
    department_id: int
    contact_id: int


def seed_book(session: Session, owner, manager, marker: str) -> Book:
    """Seed a company, department, contact, account, tier change, override, handoff and import run."""
    company = CompanyFactory(
        name=f"{marker} Company",
        external_id=f"{marker}-CO",
        domain=f"{marker.lower()}.example",
        industry=f"{marker} Industry",
    )
    department = DepartmentFactory(
        company=company, name=f"{marker} Department", external_id=f"{marker}-DE"
    )
    contact = ContactFactory(
        company=company,
        name=f"{marker} Contact",
        external_id=f"{marker}-CT",
        email=f"{marker.lower()}@contact.example",
    )
    account = AccountFactory(
        company=company,
        name=f"{marker} Account",
        external_id=f"{marker}-AC",
        csm_id=owner.id,
        department_id=department.id,
        contact_id=contact.id,
        plan=f"{marker} Plan",
    )
    SubscriptionFactory(account=account, product=f"{marker} Product")
    UsageMetricFactory(account_id=account.id)  # metric names are the workspace's, not a book's
    schemes.ensure_default_schemes(session)
    session.commit()
    scheme = session.scalars(select(TierScheme).order_by(TierScheme.id)).first()
    tiers = schemes.validate(session, scheme.current.definition).tiers
    session.add(
        TierChange(
            account_id=account.id,
            scheme_id=scheme.id,
            dimension=scheme.dimension,
            from_tier=tiers[-1],
            to_tier=tiers[0],
            at=utcnow() - timedelta(days=7),  # in the last full week, which the review shows
            reason="rule",
            scheme_version=1,
            explanation=f"{marker} explanation",
        )
    )
    overrides.create_override(
        session,
        Actor(manager.id, manager.role),
        account_id=account.id,
        scheme_id=scheme.id,
        tier=tiers[0],
        reason=f"{marker} override reason",
        expires_at=None,
    )
    session.add(
        Handoff(
            account_id=account.id,
            from_csm_id=owner.id,
            to_csm_id=None,
            due_date=date(2026, 12, 31),
            notes=f"{marker} handoff notes",
        )
    )
    session.add(
        ImportRun(
            kind="accounts",
            filename=f"{marker}-import.csv",
            status="previewed",
            dry_run=True,
            user_id=owner.id,
        )
    )
    session.commit()
    return Book(company.id, account.id, department.id, contact.id)


def seed_attribute(session: Session, actor: Actor) -> int:
    """Define one custom attribute (workspace-wide, in no book) and return its id."""
    attribute = workspace.add_custom_attribute(
        session, key="nps", label="NPS", data_type="number", category="behavioural", choices=[]
    )
    session.commit()
    return attribute.id


def seed_endpoint(session, actor) -> int:
    """Add a webhook endpoint (its host resolved to a public address, never called); return its id."""
    from cstier.services.alerts_delivery.endpoints import EndpointInput, create_endpoint

    data = EndpointInput("Seeded hook", "https://hooks.example.com/cstier", ["tier.changed"])
    endpoint, _ = create_endpoint(
        session, actor, data, resolver=lambda host, port: ["93.184.216.34"]
    )
    return endpoint.id
