"""Every scheduled job, declared as data: adding one is one entry here.

Alert delivery and the daily digest join this list when their services land
(`cstier.services.alerts_delivery.deliver_due` and `send_digests`), as the
metrics refresh and the onboarding check will.
"""

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
)

BY_NAME = {job.name: job for job in SCHEDULED_JOBS}
