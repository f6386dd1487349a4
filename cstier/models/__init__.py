"""SQLAlchemy models, one module per aggregate."""

from cstier.models.accounts import Account, CustomAttribute
from cstier.models.alerts import (
    AlertRule,
    AlertSubscription,
    Delivery,
    Notification,
    WebhookEndpoint,
)
from cstier.models.audit import AuditLog
from cstier.models.coverage import (
    AccountCoverage,
    AssignmentChange,
    CoverageChange,
    CoverageMatrix,
    CoverageMatrixCell,
    CoverageMixSnapshot,
    CoverageModel,
    CsmProfile,
    Handoff,
    OwnerModelTotal,
    Pool,
)
from cstier.models.engagement import Touch, TouchCadence
from cstier.models.files import StoredFile, StoredFileChunk
from cstier.models.health import HealthOverride, HealthScore, HealthScoring, Scorecard
from cstier.models.jobs import BackgroundJob, FeedFile, JobRun, JobSchedule, SchedulerHeartbeat
from cstier.models.metrics import ChurnedAccount, MetricResult, SegmentHeadline
from cstier.models.onboarding import AccountOnboarding, OnboardingPlan
from cstier.models.org import Company, Contact, Department
from cstier.models.outbox import OutboxEvent
from cstier.models.previews import PreviewMove, SchemePreview
from cstier.models.reports import (
    WeeklyReport,
    WeeklyReportDelivery,
    WeeklyReportSubscription,
    WeekReviewSnapshot,
)
from cstier.models.revenue import (
    AccountNeed,
    ImportRun,
    OnboardingMilestone,
    SavedImportMapping,
    Subscription,
    UsageMetric,
)
from cstier.models.tiers import (
    BookChangeMark,
    CurrentTier,
    RenewalTotal,
    TierBlock,
    TierChange,
    TieringRun,
    TierMixSnapshot,
    TierOverride,
    TierScheme,
    TierSchemeVersion,
    TierTotal,
)
from cstier.models.tokens import ApiToken
from cstier.models.users import LoginAttempt, LoginFailureCount, User
from cstier.models.workspace import Workspace

__all__ = [
    "OwnerModelTotal",
    "BookChangeMark",
    "TierTotal",
    "RenewalTotal",
    "AlertRule",
    "AlertSubscription",
    "Delivery",
    "Notification",
    "WebhookEndpoint",
    "AccountOnboarding",
    "HealthOverride",
    "HealthScore",
    "HealthScoring",
    "OnboardingPlan",
    "Scorecard",
    "Touch",
    "TouchCadence",
    "BackgroundJob",
    "FeedFile",
    "JobRun",
    "JobSchedule",
    "SchedulerHeartbeat",
    "StoredFile",
    "StoredFileChunk",
    "AccountCoverage",
    "AssignmentChange",
    "CoverageChange",
    "CoverageMatrix",
    "CoverageMatrixCell",
    "CoverageMixSnapshot",
    "CoverageModel",
    "CsmProfile",
    "Handoff",
    "Pool",
    "ChurnedAccount",
    "MetricResult",
    "SegmentHeadline",
    "AccountNeed",
    "ApiToken",
    "ImportRun",
    "OnboardingMilestone",
    "SavedImportMapping",
    "Subscription",
    "UsageMetric",
    "CurrentTier",
    "TierBlock",
    "OutboxEvent",
    "PreviewMove",
    "SchemePreview",
    "TierChange",
    "TierOverride",
    "TierScheme",
    "TierSchemeVersion",
    "TieringRun",
    "TierMixSnapshot",
    "Account",
    "AuditLog",
    "Company",
    "Contact",
    "CustomAttribute",
    "Department",
    "LoginAttempt",
    "LoginFailureCount",
    "User",
    "WeeklyReport",
    "WeeklyReportDelivery",
    "WeeklyReportSubscription",
    "WeekReviewSnapshot",
    "Workspace",
]
