"""Rules of one kind of file that need the database beyond references: onboarding milestones."""

import pandas as pd
from sqlalchemy import select

from cstier.domain.imports import ErrorList
from cstier.models import Account, AccountOnboarding, OnboardingPlan
from cstier.services.imports.refs import References
from cstier.store.bulk_reads import key_in


def _onboardings(refs: References, accounts: list[str]) -> pd.DataFrame:
    """Return start date and plan milestone keys of the named accounts' onboardings."""
    rows = []
    for start in range(0, len(accounts), 50_000):
        batch = accounts[start : start + 50_000]
        rows += refs.rows(
            select(Account.external_id, AccountOnboarding.start_date, OnboardingPlan.milestones)
            .join(AccountOnboarding, AccountOnboarding.account_id == Account.id)
            .join(OnboardingPlan, AccountOnboarding.plan_id == OnboardingPlan.id)
            .where(key_in(refs.session, Account.external_id, batch))
        )
    return pd.DataFrame(
        {
            "start": [r[1] for r in rows],
            "keys": [frozenset(m["key"] for m in r[2]) for r in rows],
        },
        index=pd.Index([r[0] for r in rows], dtype=object),
    )


def check_milestones(
    typed: pd.DataFrame, present: set[str], refs: References, errors: ErrorList
) -> None:
    """Refuse a plan milestone the account's plan lacks, and a completion before the start."""
    if "plan_milestone" not in present and "completed_on" not in present:
        return
    accounts = typed["account_external_id"]
    known = _onboardings(refs, pd.unique(accounts.dropna()).tolist())
    start = accounts.map(known["start"])
    if "plan_milestone" in present:
        named = typed["plan_milestone"]
        keys = accounts.map(known["keys"])
        no_onboarding = named.notna() & keys.isna()
        errors.add_column(
            "plan_milestone",
            named,
            _reason(no_onboarding & accounts.notna(), "the account has no onboarding"),
        )
        unknown = [
            pd.notna(n) and isinstance(k, frozenset) and n not in k
            for n, k in zip(named, keys, strict=True)
        ]
        reasons = [
            f"not a milestone of the account's plan ({', '.join(sorted(k))})" if bad else None
            for bad, k in zip(unknown, keys, strict=True)
        ]
        errors.add_column("plan_milestone", named, pd.Series(reasons, index=named.index))
    if "completed_on" in present:
        done = pd.to_datetime(typed["completed_on"])
        early = done.notna() & start.notna() & (done < pd.to_datetime(start))
        reasons = ("before the onboarding started on " + start.astype(str)).where(early)
        errors.add_column("completed_on", typed["completed_on"], reasons.astype(object))


def _reason(mask: pd.Series, text: str) -> pd.Series:
    return pd.Series(text, index=mask.index, dtype=object).where(mask)


RULES = {"milestones": check_milestones}


def check_kind_rules(
    kind: str, typed: pd.DataFrame, present: set[str], refs: References, errors: ErrorList
) -> None:
    """Add the errors of the kind's own rules, if it has any."""
    rule = RULES.get(kind)
    if rule is not None and len(typed):
        rule(typed, present, refs, errors)
