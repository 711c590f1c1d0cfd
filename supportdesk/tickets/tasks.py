"""Jobs of the tickets context: keep the SQLite search index close behind the messages."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("tickets-search-catch-up")
def search_catch_up_task() -> int:
    """Index the messages written since the last run, so that a search has little to add first."""
    from .search import catch_up

    return catch_up()
