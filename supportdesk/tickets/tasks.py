"""Jobs of the tickets context: keep the SQLite search index close behind the messages; sweep orphan uploads."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("tickets-search-catch-up")
def search_catch_up_task() -> int:
    """Index the messages written since the last run, so that a search has little to add first."""
    from .search import catch_up

    return catch_up()


@db_periodic_task(crontab(minute="17", hour="3"))
@lock_task("stored-files-sweep")
def sweep_orphan_files_task() -> int:
    """Delete uploaded files that no row names a day after they were stored (a killed upload, a rolled-back
    write): every upload folder, not only attachments (supportdesk/stored_files.py)."""
    from supportdesk.stored_files import sweep_orphans

    return len(sweep_orphans())
