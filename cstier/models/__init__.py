"""SQLAlchemy models, one module per aggregate."""

from cstier.models.accounts import Account, CustomAttribute
from cstier.models.audit import AuditLog
from cstier.models.coverage import (
    AccountCoverage,
    AssignmentChange,
    CoverageChange,
    CoverageMatrix,
    CoverageMatrixCell,
    CoverageModel,
    CsmProfile,
    Handoff,
    Pool,
)
from cstier.models.jobs import BackgroundJob, FeedFile, JobRun, JobSchedule, SchedulerHeartbeat
from cstier.models.org import Company, Contact, Department
from cstier.models.outbox import OutboxEvent
from cstier.models.revenue import (
    AccountNeed,
    ImportRun,
    OnboardingMilestone,
    Subscription,
    UsageMetric,
)
from cstier.models.tiers import (
    TierBlock,
    TierChange,
    TieringRun,
    TierOverride,
    TierScheme,
    TierSchemeVersion,
)
from cstier.models.tokens import ApiToken
from cstier.models.users import LoginAttempt, LoginFailureCount, User
from cstier.models.workspace import Workspace

__all__ = [
    "BackgroundJob",
    "FeedFile",
    "JobRun",
    "JobSchedule",
    "SchedulerHeartbeat",
    "AccountCoverage",
    "AssignmentChange",
    "CoverageChange",
    "CoverageMatrix",
    "CoverageMatrixCell",
    "CoverageModel",
    "CsmProfile",
    "Handoff",
    "Pool",
    "AccountNeed",
    "ApiToken",
    "ImportRun",
    "OnboardingMilestone",
    "Subscription",
    "UsageMetric",
    "TierBlock",
    "OutboxEvent",
    "TierChange",
    "TierOverride",
    "TierScheme",
    "TierSchemeVersion",
    "TieringRun",
    "Account",
    "AuditLog",
    "Company",
    "Contact",
    "CustomAttribute",
    "Department",
    "LoginAttempt",
    "LoginFailureCount",
    "User",
    "Workspace",
]
