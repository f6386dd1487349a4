"""Every scheduled job, declared as data: adding one is one entry here."""

from dataclasses import dataclass

from cstier.domain.fire_times import JobPlan
from cstier.jobs import tasks
from cstier.services.jobs.runs import Task


@dataclass(frozen=True)
class ScheduledJob(JobPlan):
    """A job's name, title and default cron (in the workspace timezone), and its task."""

    task: Task


SCHEDULED_JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("weekly_review", "Weekly tier review", "0 7 * * mon", tasks.weekly_review),
    ScheduledJob("nightly_retier", "Nightly re-tier", "0 2 * * *", tasks.nightly_retier),
    ScheduledJob("import_feed", "Import the data feed folder", "30 1 * * *", tasks.import_feed),
    ScheduledJob(
        "metrics_refresh", "Churn and retention refresh", "0 3 * * *", tasks.metrics_refresh
    ),
    ScheduledJob("health", "Onboarding check and health scores", "30 3 * * *", tasks.health),
    ScheduledJob("alerts", "Alert dispatch and delivery", "* * * * *", tasks.alerts),
    ScheduledJob("daily_digest", "Daily alert digest", "0 7 * * *", tasks.daily_digest),
    ScheduledJob("weekly_digest", "Weekly alert digest", "30 7 * * mon", tasks.weekly_digest),
)

BY_NAME = {job.name: job for job in SCHEDULED_JOBS}
