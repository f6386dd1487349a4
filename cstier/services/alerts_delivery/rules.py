"""Alert rules (managers and admins keep them) and each user's subscriptions to them."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.alerts.rules import (
    COVERAGE_CHANGE,
    DOWNGRADE,
    MY_BOOK,
    RULE_KINDS,
    TOP_TIER,
)
from cstier.domain.permissions import Actor, can_manage_book
from cstier.models import AlertRule, AlertSubscription, CoverageModel
from cstier.notify.base import user_channels
from cstier.services.errors import Forbidden, NotFound, ValidationFailed
from cstier.services.reports import scheme_tiers
from cstier.services.unit_of_work import unit_of_work

CADENCES = {"immediate": "As it happens", "daily": "Daily digest", "weekly": "Weekly digest"}
# Who is subscribed to what until they say otherwise, and how.
DEFAULT_RULES = (
    ("Value-tier downgrades", DOWNGRADE, "cs_manager"),
    ("Moves into or out of the top tier", TOP_TIER, "cs_manager"),
    ("Changes in my book", MY_BOOK, "csm"),
)


@dataclass(frozen=True)
class RuleInput:
    """A rule as a manager typed it."""

    name: str
    kind: str
    scheme_id: int | None = None
    tier: str | None = None
    region: str | None = None
    coverage_model_id: int | None = None


def list_rules(session: Session) -> list[AlertRule]:
    """Return every alert rule, defaults first."""
    return list(session.scalars(select(AlertRule).order_by(AlertRule.id)))


def ensure_default_rules(session: Session) -> int:
    """Create the default rules that are missing, in the caller's transaction; return how many.

    Nobody is subscribed by a row: a manager or CSM without a say on a default rule of their
    role hears of it in the app (`default_subscription`).
    """
    present = set(
        session.execute(
            select(AlertRule.default_for, AlertRule.kind).where(AlertRule.default_for.is_not(None))
        ).all()
    )
    missing = [(n, k, r) for n, k, r in DEFAULT_RULES if (r, k) not in present]
    for name, kind, role in missing:
        session.add(AlertRule(name=name, kind=kind, default_for=role))
    session.flush()
    return len(missing)


@dataclass(frozen=True)
class Subscribed:
    """How a user hears of a rule: channels (none: not at all) and cadence."""

    channels: tuple[str, ...]
    cadence: str


def default_subscription(rule: AlertRule, role: str) -> Subscribed:
    """Return how a user of this role hears of the rule until they choose."""
    if rule.default_for is not None and rule.default_for == role:
        return Subscribed(("in_app",), "immediate")
    return Subscribed((), "immediate")


def save_rule(
    session: Session, actor: Actor, data: RuleInput, rule_id: int | None = None
) -> AlertRule:
    """Create a rule, or change one, after checking its scheme, tier and model exist."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins keep alert rules.")
    errors = _rule_errors(session, data)
    if errors:
        raise ValidationFailed("The alert rule was not saved.", errors)
    with unit_of_work(session):
        ensure_default_rules(session)
        rule = session.get(AlertRule, rule_id) if rule_id is not None else AlertRule()
        if rule is None:
            raise NotFound("No such alert rule.")
        rule.name, rule.kind = data.name.strip(), data.kind
        rule.scheme_id, rule.tier = data.scheme_id, (data.tier or None)
        rule.region, rule.coverage_model_id = (data.region or None), data.coverage_model_id
        session.add(rule)
    return rule


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    """Delete a rule and everyone's subscription to it."""
    if not can_manage_book(actor):
        raise Forbidden("Only managers and admins keep alert rules.")
    with unit_of_work(session):
        rule = session.get(AlertRule, rule_id)
        if rule is None:
            raise NotFound("No such alert rule.")
        for sub in session.scalars(
            select(AlertSubscription).where(AlertSubscription.rule_id == rule_id)
        ):
            session.delete(sub)
        session.delete(rule)


def _rule_errors(session: Session, data: RuleInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Give the rule a name."]
    if data.kind not in RULE_KINDS:
        errors["kind"] = [f"Choose one of: {', '.join(RULE_KINDS.values())}."]
    schemes = scheme_tiers(session)
    if data.scheme_id is not None and data.scheme_id not in schemes:
        errors["scheme_id"] = ["That tier scheme does not exist; choose one from the list."]
    if data.tier:
        known = (
            schemes[data.scheme_id].tiers
            if data.scheme_id in schemes
            else tuple(t for s in schemes.values() for t in s.tiers)
        )
        if data.tier not in known:
            errors["tier"] = [f"No tier {data.tier!r} in that scheme; choose one of its tiers."]
    if data.kind == COVERAGE_CHANGE and (data.scheme_id is not None or data.tier):
        errors.setdefault("kind", []).append("A coverage rule takes no scheme or tier.")
    if (
        data.coverage_model_id is not None
        and session.get(CoverageModel, data.coverage_model_id) is None
    ):
        errors["coverage_model_id"] = ["That coverage model does not exist."]
    return errors


def my_subscriptions(session: Session, actor: Actor) -> dict[int, Subscribed]:
    """Return how the actor hears of every rule, by rule id (defaults where they never chose)."""
    chosen = {
        sub.rule_id: Subscribed(tuple(sub.channels or ()), sub.cadence)
        for sub in session.scalars(
            select(AlertSubscription).where(AlertSubscription.user_id == actor.user_id)
        )
    }
    return {
        rule.id: chosen.get(rule.id) or default_subscription(rule, actor.role)
        for rule in list_rules(session)
    }


def subscribe(
    session: Session, actor: Actor, rule_id: int, channels: list[str], cadence: str
) -> AlertSubscription:
    """Set how the actor hears of a rule; no channels unsubscribes (and keeps defaults away)."""
    if actor.user_id is None:
        raise Forbidden("Only a signed-in user subscribes to alerts.")
    errors: dict[str, list[str]] = {}
    unknown = [c for c in channels if c not in user_channels()]
    if unknown:
        errors["channels"] = [f"Choose channels from: {', '.join(user_channels().values())}."]
    if cadence not in CADENCES:
        errors["cadence"] = ["Choose as it happens, a daily digest or a weekly digest."]
    if errors:
        raise ValidationFailed("The subscription was not saved.", errors)
    with unit_of_work(session):
        if session.get(AlertRule, rule_id) is None:
            raise NotFound("No such alert rule.")
        sub = session.scalar(
            select(AlertSubscription).where(
                AlertSubscription.user_id == actor.user_id, AlertSubscription.rule_id == rule_id
            )
        ) or AlertSubscription(user_id=actor.user_id, rule_id=rule_id)
        sub.channels, sub.cadence = sorted(set(channels)), cadence
        session.add(sub)
    return sub
