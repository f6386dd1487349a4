"""Decide whether a rule wants to hear of one change, and say what caused it."""

from dataclasses import dataclass

from cstier.domain.permissions import Actor, can_view_account

DOWNGRADE, TOP_TIER, MY_BOOK, ANY_MOVE, COVERAGE_CHANGE = (
    "downgrade",
    "top_tier",
    "my_book",
    "any_move",
    "coverage_change",
)
RULE_KINDS = {
    DOWNGRADE: "Value-tier downgrades",
    TOP_TIER: "Moves into or out of the top tier",
    MY_BOOK: "Changes in my book",
    ANY_MOVE: "Any tier move",
    COVERAGE_CHANGE: "Coverage model changes",
}
TIER_KINDS = (DOWNGRADE, TOP_TIER, ANY_MOVE)


@dataclass(frozen=True)
class Rule:
    """An alert rule as the decision needs it; None narrows nothing."""

    kind: str
    scheme_id: int | None = None
    tier: str | None = None
    region: str | None = None
    coverage_model_id: int | None = None


@dataclass(frozen=True)
class Change:
    """One committed change: a tier move (tiers top first) or a coverage model move."""

    source: str  # tier, coverage
    account_id: int
    csm_id: int | None
    region: str | None
    coverage_model_id: int | None  # the account's model now
    scheme_id: int | None = None
    dimension: str | None = None
    from_tier: str | None = None
    to_tier: str | None = None
    tiers: tuple[str, ...] = ()
    from_model_id: int | None = None


def should_alert(rule: Rule, change: Change, subscriber: Actor) -> bool:
    """Return whether the subscriber of this rule is told of this change."""
    if not can_view_account(subscriber, change.csm_id):
        return False
    if rule.region is not None and rule.region != change.region:
        return False
    if rule.coverage_model_id is not None and rule.coverage_model_id not in (
        change.coverage_model_id,
        change.from_model_id,
    ):
        return False
    if change.source == "coverage":
        return rule.kind in (COVERAGE_CHANGE, MY_BOOK) and _in_book(rule, change, subscriber)
    if change.from_tier is None or rule.kind == COVERAGE_CHANGE:
        return False  # a first tiering is not an alert
    if rule.scheme_id is not None and rule.scheme_id != change.scheme_id:
        return False
    if rule.tier is not None and rule.tier not in (change.from_tier, change.to_tier):
        return False
    if rule.kind == DOWNGRADE:
        return _ranked_down(change) and (rule.scheme_id is not None or change.dimension == "value")
    if rule.kind == TOP_TIER:
        top = change.tiers[0] if change.tiers else None
        return top is not None and top in (change.from_tier, change.to_tier)
    return rule.kind == ANY_MOVE or _in_book(rule, change, subscriber)


def _in_book(rule: Rule, change: Change, subscriber: Actor) -> bool:
    return rule.kind != MY_BOOK or (
        subscriber.user_id is not None and change.csm_id == subscriber.user_id
    )


def _ranked_down(change: Change) -> bool:
    rank = {tier: position for position, tier in enumerate(change.tiers)}
    if change.from_tier not in rank or change.to_tier not in rank:
        return False
    return rank[change.to_tier] > rank[change.from_tier]


def cause(scheme_name: str, version: int | None, previous_version: int | None) -> str:
    """Name what moved the account: a new scheme version or the account's own data."""
    if version is not None and previous_version is not None and version != previous_version:
        return f"Scheme change: {scheme_name} version {previous_version} → {version}"
    return "Data change"
