"""Scheduled job runs, schedule overrides, the scheduler's heartbeat, background jobs, feed files."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cstier.extensions import db
from cstier.models.base import JSONType, utcnow


class JobRun(db.Model):
    """One fire time of a scheduled job, claimed by one scheduler under a lease it renews."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")  # schedule, manual
    status: Mapped[str] = mapped_column(
        String(20), index=True
    )  # queued running succeeded failed missed
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class JobSchedule(db.Model):
    """An admin's cron expression for a scheduled job, overriding its declared default."""

    __tablename__ = "job_schedule"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    cron: Mapped[str] = mapped_column(String(120))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SchedulerHeartbeat(db.Model):
    """A scheduler process's latest sign of life and whether it leads."""

    __tablename__ = "scheduler_heartbeat"

    holder: Mapped[str] = mapped_column(String(120), primary_key=True)
    leader: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class BackgroundJob(db.Model):
    """Work asked for from a page or the API, run by the scheduler process with progress."""

    __tablename__ = "background_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued running done failed
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str | None] = mapped_column(String(200))
    result_url: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FeedFile(db.Model):
    """A file taken from the import feed folder, so the same file is never imported twice."""

    __tablename__ = "feed_file"
    __table_args__ = (UniqueConstraint("name", "modified_at", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(255))
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # applied, failed
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_run.id", ondelete="SET NULL")
    )
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
