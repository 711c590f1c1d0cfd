"""Jobs of mail intake: process a stored message; sweep pending ones; poll IMAP mailboxes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task(retries=2, retry_delay=30)
def process_inbound_task(inbound_id: int) -> str:
    from .actions import process_inbound

    return process_inbound(inbound_id).outcome


@db_periodic_task(crontab(minute="*"))
@lock_task("intake-process-pending")
def process_pending_task() -> int:
    """Recovery: whatever was stored but not processed (a crash, a lost job) is processed exactly once."""
    from .actions import process_pending

    return process_pending()


@db_periodic_task(crontab(minute="*"))
@lock_task("intake-poll-imap")  # one poll at a time: a slow mailbox never overlaps the next minute's poll
def poll_imap_task() -> int:
    from .imap import poll_all

    return poll_all()[0]  # every configured mailbox; one failing does not stop the others
