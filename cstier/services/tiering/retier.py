"""Re-tier the book, then store the totals its pages serve: what every entry point starts."""

from datetime import datetime

from sqlalchemy.orm import Session

from cstier.domain.permissions import Actor
from cstier.services.page_totals import store_after_run
from cstier.services.tiering.run import Progress, RunSummary, no_progress, run_tiering
from cstier.store.sizes import BatchSizes


def retier_book(
    session: Session,
    actor: Actor,
    *,
    trigger: str,
    dry_run: bool = False,
    now: datetime | None = None,
    sizes: BatchSizes = BatchSizes(),
    progress: Progress = no_progress,
) -> RunSummary:
    """Run the tiering in its transaction; after a run that wrote, store the page totals.

    The totals are use cases of their own, each committed after the run: a failure there
    leaves the run standing, and the pages count live until the next run stores them.
    """
    summary = run_tiering(
        session, actor, trigger=trigger, dry_run=dry_run, now=now, sizes=sizes, progress=progress
    )
    if not dry_run:
        store_after_run(session)  # the pages serve these until the book changes again
    return summary
