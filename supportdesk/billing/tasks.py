"""Billing jobs: issue last month's invoices early on the 1st (idempotent, so a retry is harmless), and the
invoice runs started from the billing page and the API, with the sweep that resumes a lost one (billing.runs).

"Early on the 1st" is in the vendor's zone (settings.TIME_ZONE), like every date billing works with. Huey
evaluates schedules in UTC (`utc=True`, its default), so a `crontab(day=1, hour=2)` would fire at 02:00 UTC,
which west of Greenwich is still the last day of the month being invoiced (and `previous_month_start`
would then pick the month before it). The schedule below is therefore a test of the local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from supportdesk.local_times import vendor_today

from . import runs

RUN_MINUTE = 15  # minute of the (UTC) hour the scheduler considers: one tick an hour
RUN_FROM_HOUR = 2  # local hour on the 1st from which the month before is invoiced


def previous_month_start(today: date | None = None) -> str:
    first_of_this_month = (today or timezone.localdate()).replace(day=1)
    return (first_of_this_month - timedelta(days=1)).strftime("%Y-%m")


def first_tick_on_the_first(timestamp: datetime) -> bool:
    """Huey's periodic test (it passes naive UTC): true at the first hourly tick at or after 02:00 on the 1st
    of a month in the vendor's zone, so exactly once a month even when DST skips or repeats an hour."""
    if timestamp.minute != RUN_MINUTE:
        return False
    now = timestamp.replace(tzinfo=UTC) if timezone.is_naive(timestamp) else timestamp
    vendor = timezone.get_default_timezone()  # never a zone some request or test left activated
    local, hour_before = timezone.localtime(now, vendor), timezone.localtime(now - timedelta(hours=1), vendor)
    due = local.day == 1 and local.hour >= RUN_FROM_HOUR
    was_due = hour_before.day == 1 and hour_before.hour >= RUN_FROM_HOUR
    return due and not was_due


@db_periodic_task(first_tick_on_the_first)
def issue_previous_month_invoices() -> dict:
    """An invoice run like one started from the billing page, performed by this job: its progress and result show
    on /billing/ with the others. A run of that month already queued there is performed here (its own queued job
    then finds it claimed); one already running is left to its worker and reported as it stands."""
    run = runs.start_invoice_run(None, previous_month_start(vendor_today()), queue=False)
    run = runs.perform_invoice_run(run.pk) or run
    return {"run": run.pk, "month": run.month.isoformat(), "state": run.state,
            "issued": list(run.issued_invoices.order_by("number").values_list("number", flat=True)),
            "already_issued": run.already_issued, "problems": run.problems}


@db_task()
def run_invoices(run_id: int) -> None:
    """A background invoice run started from the billing page or the API (billing.runs)."""
    runs.perform_invoice_run(run_id)


@db_periodic_task(crontab(minute="*/5"))
def resume_stale_invoice_runs() -> list[int]:
    """Invoice runs whose queuing was lost or whose worker died are queued again (billing.runs)."""
    return runs.requeue_stale_invoice_runs()
