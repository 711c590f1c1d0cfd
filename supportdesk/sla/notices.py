"""SLA warnings and breach notices through the outbox: to the assignee, the client's TAM and the support
managers; each dedupe key makes a notice go out once per clock (and due instant) and recipient."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings

from supportdesk.accounts.actions import current_tam
from supportdesk.accounts.models import StaffRole, User
from supportdesk.local_times import person_zone, shown_with_utc
from supportdesk.notifications.actions import enqueue_email

from .models import Clock


def recipients(clock: Clock) -> list[str]:
    return list(recipient_zones(clock))


def recipient_zones(clock: Clock) -> dict[str, ZoneInfo]:
    """Each recipient's address with their own zone (`User.timezone`), in which their notice states the due time."""
    ticket = clock.ticket
    people: list[User] = []
    if ticket.assignee is not None:
        people.append(ticket.assignee)
    tam = current_tam(ticket.client)
    if tam is not None:
        people.append(tam)
    people += User.objects.filter(role_grants__role=StaffRole.MANAGER, is_active=True).order_by("email").distinct()
    zones: dict[str, ZoneInfo] = {}
    for person in people:
        zones.setdefault(person.email, person_zone(person))
    return zones


def _due(clock: Clock, zone: ZoneInfo) -> str:
    # The reader's own zone with abbreviation and offset (a due time on a DST night is otherwise ambiguous),
    # and UTC, which is what colleagues elsewhere compare.
    return shown_with_utc(clock.due_at, zone) if clock.due_at else "(no due time)"


def notify_warning(clock: Clock) -> int:
    ticket = clock.ticket
    stamp = clock.due_at.strftime("%Y%m%dT%H%M%SZ") if clock.due_at else "none"
    sent = 0
    for email, zone in recipient_zones(clock).items():
        item = enqueue_email(
            topic="sla.warning", to=email, ticket=ticket,
            subject=f"[#{ticket.pk}] SLA warning: {clock.get_metric_display()} due soon",
            body=(f"The {clock.get_metric_display().lower()} objective of ticket #{ticket.pk} "
                  f"({ticket.client.name}, severity {clock.severity}) is due at {_due(clock, zone)}.\n\n{settings.SITE_URL}/console/tickets/{ticket.pk}/"),
            dedupe_key=f"sla.warning:{clock.pk}:{stamp}:{_key(email)}")
        sent += item is not None
    return sent


def notify_breach(clock: Clock) -> int:
    ticket = clock.ticket
    sent = 0
    for email, zone in recipient_zones(clock).items():
        item = enqueue_email(
            topic="sla.breach", to=email, ticket=ticket,
            subject=f"[#{ticket.pk}] SLA breached: {clock.get_metric_display()}",
            body=(f"The {clock.get_metric_display().lower()} objective of ticket #{ticket.pk} "
                  f"({ticket.client.name}, severity {clock.severity}) was due at {_due(clock, zone)}; overrun {clock.overrun_seconds // 60 if clock.overrun_seconds else 0}"
                  f" business minutes when recorded.\n\n{settings.SITE_URL}/console/tickets/{ticket.pk}/"),
            dedupe_key=f"sla.breach:{clock.pk}:{_key(email)}")
        sent += item is not None
    return sent


def _key(email: str) -> str:
    """A short stable recipient key (dedupe keys are limited to 200 characters)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:20]
