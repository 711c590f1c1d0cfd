"""The periodic SLA sweep (warnings due, breaches due) and the recompute of open clocks after a calendar edit.

Warnings: a running clock whose warning instant has passed is warned once, but only while its calendar
is open (a business-hours clock is never warned at midnight: the warning waits for the next opening).
Breaches: a running clock past its due instant is breached once, with the overrun frozen at that moment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from . import timing
from .calendars_store import calendar_for
from .models import OPEN_CLOCK_STATES, Clock, ClockEvent, ClockState, RecomputeJob
from .notices import notify_warning
from .objectives import rules
from .service import breach, refresh_ticket

BATCH = 2000


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    warned = breached = 0
    calendars: dict[str, bool] = {}
    due_warnings = Clock.objects.filter(state=ClockState.RUNNING, stopped_at__isnull=True, warned_at__isnull=True,
                                        warn_at__lte=now).select_related("ticket", "ticket__client", "ticket__assignee")
    for clock in due_warnings[:BATCH]:
        if clock.calendar not in calendars:
            calendars[clock.calendar] = calendar_for(clock.calendar).is_open(now)
        if not calendars[clock.calendar]:
            continue
        with transaction.atomic():
            if not Clock.objects.filter(pk=clock.pk, warned_at__isnull=True).update(warned_at=now):
                continue
            ClockEvent.objects.create(clock=clock, kind="warned", at=now, internal=True,
                                      data={"due_at": clock.due_at.isoformat() if clock.due_at else None})
            notify_warning(clock)
            warned += 1
    overdue = Clock.objects.filter(state=ClockState.RUNNING, stopped_at__isnull=True, due_at__lte=now).select_related(
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
    RecomputeJob.objects.filter(pk=job.pk).update(state="running", total=qs.count())
    job.refresh_from_db()
    last_id = 0
    tickets: set[int] = set()
    while True:
        batch = list(qs.filter(id__gt=last_id).order_by("id").only(
            "id", "ticket_id", "metric", "target_minutes", "started_at", "pauses", "due_at", "warn_at",
            "calendar")[:BATCH])
        if not batch:
            break
        last_id = batch[-1].pk
        changed = _reschedule(batch, calendar, warning)
        with transaction.atomic():
            Clock.objects.bulk_update(changed, ["due_at", "warn_at"], batch_size=500)
            job.done += len(batch)
            job.changed += len(changed)
            RecomputeJob.objects.filter(pk=job.pk).update(done=job.done, changed=job.changed)
        tickets.update(c.ticket_id for c in changed)
    _refresh_due(tickets)
    job.state, job.finished_at = "done", timezone.now()
    RecomputeJob.objects.filter(pk=job.pk).update(state=job.state, finished_at=job.finished_at)
    return job


def _reschedule(batch: list[Clock], calendar: object, warning: dict[str, int]) -> list[Clock]:
    """New due/warning instants; clocks without pauses go through the engine's fast path in groups."""
    from .calendars import BusinessCalendar

    assert isinstance(calendar, BusinessCalendar)
    changed: list[Clock] = []
    simple: dict[tuple[int, int], list[Clock]] = defaultdict(list)
    for clock in batch:
        lead = warning.get(clock.metric, 0)
        if clock.pauses:
            due, warn = timing.schedule(clock, calendar, lead)
            if (due, warn) != (clock.due_at, clock.warn_at):
                clock.due_at, clock.warn_at = due, warn
                changed.append(clock)
        else:
            simple[(clock.target_minutes or 0, lead)].append(clock)
    for (minutes, lead), group in simple.items():
        starts = [c.started_at for c in group]
        dues = calendar.due_many(starts, timedelta(minutes=minutes))
        if 0 < lead < minutes:
            warns: list[datetime | None] = list(calendar.due_many(starts, timedelta(minutes=minutes - lead)))
        elif lead > 0:
            warns = [calendar.next_opening(s) for s in starts]
        else:
            warns = [None] * len(group)
        for clock, due, warn in zip(group, dues, warns, strict=True):
            if (due, warn) != (clock.due_at, clock.warn_at):
                clock.due_at, clock.warn_at = due, warn
                changed.append(clock)
    return changed


def _refresh_due(ticket_ids: set[int]) -> None:
    from supportdesk.tickets.models import Ticket

    nearest = Clock.objects.filter(ticket=OuterRef("pk"), state=ClockState.RUNNING, stopped_at__isnull=True).values(
        "ticket").annotate(due=Min("due_at")).values("due")
    ids = sorted(ticket_ids)
    for i in range(0, len(ids), 5000):
        Ticket.objects.filter(pk__in=ids[i:i + 5000]).update(sla_due_at=Subquery(nearest))
