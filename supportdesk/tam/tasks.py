"""Huey jobs of the TAM context: extend call series (and send their invitations), prepare agendas,
remind before upgrade windows. Each is idempotent (outbox dedupe keys), so a rerun sends nothing twice."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import CallOccurrence, CallSeries, OccurrenceStatus

AGENDA_AHEAD = timedelta(minutes=30)


@db_periodic_task(crontab(minute="7"))
def extend_call_series() -> int:
    """Hourly: occurrences up to the horizon exist and their invitations are in the outbox."""
    from .calls import extend_series

    created = 0
    for series in CallSeries.objects.filter(cancelled_at__isnull=True).select_related("client", "tam"):
        created += len(extend_series(series))
    return created


@db_periodic_task(crontab(minute="*/5"))
def prepare_agendas() -> int:
    """Agendas are generated at call time: for calls starting within the next 30 minutes."""
    from .calls import generate_agenda

    now = timezone.now()
    # Not generated yet, or only ahead of time (a preview from the call page): the call gets a fresh one.
    not_at_call_time = Q(agenda_generated_at__isnull=True) | Q(agenda_generated_at__lt=F("starts_at") - AGENDA_AHEAD)
    due = CallOccurrence.objects.filter(not_at_call_time, status=OccurrenceStatus.SCHEDULED,
                                        starts_at__gt=now - timedelta(minutes=5), starts_at__lte=now + AGENDA_AHEAD)
    count = 0
    for occ in due.select_related("series", "series__client"):
        generate_agenda(None, occ, at=now)
        count += 1
    return count


@db_periodic_task(crontab(minute="*/15"))
def upgrade_reminders() -> int:
    from .upgrades import send_due_reminders

    return send_due_reminders()
