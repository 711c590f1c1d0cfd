"""The periodic SLA sweep (warnings due, breaches due) and the recompute of open clocks after a calendar edit.

Warnings: a running clock whose warning instant has passed is warned once, but only while its calendar
is open (a business-hours clock is never warned at midnight: the warning waits for the next opening).
Breaches: a running clock past its due instant (strictly: at the instant itself it is still in time) is breached once, with the overrun frozen at that moment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import timing
from .calendars import BusinessCalendar
from .calendars_store import calendar_for
from .models import OPEN_CLOCK_STATES, QUEUE_DUE_STATES, Clock, ClockEvent, ClockState, RecomputeJob
from .notices import notify_warning
from .objectives import rules
from .service import breach, refresh_ticket

BATCH = 2000


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    warned = breached = 0
    calendars: dict[str, bool] = {}
    # Only clocks not yet due: a sweep that first sees a clock after its due instant breaches it, no warning.
    due_warnings = Clock.objects.filter(state=ClockState.RUNNING, stopped_at__isnull=True, warned_at__isnull=True,
                                        warn_at__lte=now, due_at__gt=now).select_related("ticket", "ticket__client", "ticket__assignee")
    for clock in due_warnings[:BATCH]:
        if clock.calendar not in calendars:
            calendars[clock.calendar] = calendar_for(clock.calendar).is_open(now)
        if not calendars[clock.calendar]:
            continue
        with transaction.atomic():
            if not Clock.objects.filter(pk=clock.pk, warned_at__isnull=True, state=ClockState.RUNNING,
                                        stopped_at__isnull=True).update(warned_at=now):  # not met meanwhile
                continue
            ClockEvent.objects.create(clock=clock, kind="warned", at=now, internal=True,
                                      data={"due_at": clock.due_at.isoformat() if clock.due_at else None})
            notify_warning(clock)
            warned += 1
    # Strictly past due: a response at the due instant itself is in time (service._stop), so is the clock then.
    overdue = Clock.objects.filter(state=ClockState.RUNNING, stopped_at__isnull=True, due_at__lt=now).select_related(
        "ticket", "ticket__client", "ticket__assignee")
    for clock in overdue[:BATCH]:
        with transaction.atomic():
            if breach(clock, now, reason="due instant passed"):
                refresh_ticket(clock.ticket)
                breached += 1
    return {"warned": warned, "breached": breached}


def recompute(job: RecomputeJob) -> RecomputeJob:
    """Recompute due and warning instants of every open clock on the job's calendar, in batches."""
    calendar = calendar_for(job.calendar)
    warning = {metric: rule.warning_minutes for metric, rule in rules().items()}
    qs = Clock.objects.filter(calendar=job.calendar, state__in=OPEN_CLOCK_STATES, stopped_at__isnull=True,
                              target_minutes__isnull=False)
    ids = list(qs.order_by("id").values_list("id", flat=True))
    RecomputeJob.objects.filter(pk=job.pk).update(total=len(ids), heartbeat_at=timezone.now())
    job.refresh_from_db()
    tickets: set[int] = set()
    for i in range(0, len(ids), BATCH):
        rows = list(qs.filter(id__in=ids[i:i + BATCH]).values_list(
            "id", "ticket_id", "metric", "target_minutes", "started_at", "pauses", "due_at", "warn_at"))
        changed = _reschedule(rows, calendar, warning)
        with transaction.atomic():
            _write(changed, job.calendar)
            job.done += len(ids[i:i + BATCH])
            job.changed += len(changed)
            RecomputeJob.objects.filter(pk=job.pk).update(done=job.done, changed=job.changed,
                                                          heartbeat_at=timezone.now())
        tickets.update(ticket_id for _, ticket_id, *_ in changed)
    _refresh_due(tickets)
    job.state, job.finished_at = "done", timezone.now()
    RecomputeJob.objects.filter(pk=job.pk).update(state=job.state, finished_at=job.finished_at)
    return job


Row = tuple[int, int, str, "int | None", datetime, Any, "datetime | None", "datetime | None"]
# id, ticket, new due, new warning, whether the due instant moved, the target it was computed for
Changed = tuple[int, int, "datetime | None", "datetime | None", bool, "int | None"]


def _reschedule(rows: list[Row], calendar: BusinessCalendar, warning: dict[str, int]) -> list[Changed]:
    """New due/warning instants; clocks without pauses go through the engine's fast path in groups."""
    changed: list[Changed] = []
    simple: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for row in rows:
        pk, ticket_id, metric, minutes, started, pauses, old_due, old_warn = row
        lead = warning.get(metric, 0)
        if pauses:
            probe = Clock(target_minutes=minutes, started_at=started, pauses=pauses)
            due, warn = timing.schedule(probe, calendar, lead)
            if (due, warn) != (old_due, old_warn):
                changed.append((pk, ticket_id, due, warn, due != old_due, minutes))
        else:
            simple[(minutes or 0, lead)].append(row)
    for (minutes, lead), group in simple.items():
        starts = [row[4] for row in group]
        dues = calendar.due_many(starts, timedelta(minutes=minutes))
        warns = [timing.warning_instant(calendar, start, due, lead) for start, due in zip(starts, dues, strict=True)]
        for row, due, warn in zip(group, dues, warns, strict=True):
            if (due, warn) != (row[6], row[7]):
                changed.append((row[0], row[1], due, warn, due != row[6], row[3]))
    return changed


def _write(changed: list[Changed], calendar: str) -> None:
    """One prepared UPDATE executed for many rows (much faster than CASE-based bulk updates).

    A clock whose due instant moved may be warned again before its new due instant (warned_at cleared); one
    whose warning instant alone moved (a new warning lead) keeps the warning it already had. A clock that was
    met, breached, or given another target or calendar (a severity change) since it was read is left alone."""
    if not changed:
        return
    ops = connection.ops
    moved = ('UPDATE "sla_clock" SET "due_at" = %s, "warn_at" = %s, "warned_at" = NULL WHERE "id" = %s '
             'AND "target_minutes" = %s AND "calendar" = %s AND "stopped_at" IS NULL AND "state" IN (%s, %s)')
    kept = ('UPDATE "sla_clock" SET "due_at" = %s, "warn_at" = %s WHERE "id" = %s '
            'AND "target_minutes" = %s AND "calendar" = %s AND "stopped_at" IS NULL AND "state" IN (%s, %s)')
    with connection.cursor() as cursor:
        for sql, due_moved in ((moved, True), (kept, False)):
            params = [(ops.adapt_datetimefield_value(due), ops.adapt_datetimefield_value(warn), pk, minutes, calendar,
                       *(str(state) for state in OPEN_CLOCK_STATES))
                      for pk, _, due, warn, flag, minutes in changed if flag is due_moved]
            if params:
                cursor.executemany(sql, params)


def _refresh_due(ticket_ids: set[int]) -> None:
    """Ticket.sla_due_at = nearest due among the ticket's awaited clocks (service.refresh_ticket's rule), for the
    tickets that moved."""
    from supportdesk.tickets.models import Ticket

    ids = sorted(ticket_ids)
    for i in range(0, len(ids), 2000):
        chunk = ids[i:i + 2000]
        nearest: dict[int, datetime | None] = dict.fromkeys(chunk)
        for ticket_id, due in Clock.objects.filter(ticket_id__in=chunk, state__in=QUEUE_DUE_STATES,
                                                   stopped_at__isnull=True).values_list("ticket_id", "due_at"):
            if due is not None and (nearest[ticket_id] is None or due < nearest[ticket_id]):  # type: ignore[operator]
                nearest[ticket_id] = due
        table = connection.ops.quote_name(Ticket._meta.db_table)
        sql = f"UPDATE {table} SET sla_due_at = %s WHERE id = %s"  # noqa: S608 - table name from the model
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(connection.ops.adapt_datetimefield_value(due), pk) for pk, due in nearest.items()])
