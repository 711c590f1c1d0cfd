"""SLA warnings and breach notices through the outbox: to the assignee, the client's TAM and the support
managers; each dedupe key makes a notice go out once per clock (and due instant) and recipient."""

from __future__ import annotations

import hashlib

from django.conf import settings

from supportdesk.accounts.actions import current_tam
from supportdesk.accounts.models import StaffRole, User
from supportdesk.notifications.actions import enqueue_email

from .models import Clock


def recipients(clock: Clock) -> list[str]:
    ticket = clock.ticket
    people: list[str] = []
    if ticket.assignee is not None:
        people.append(ticket.assignee.email)
    tam = current_tam(ticket.client)
    if tam is not None:
        people.append(tam.email)
    people += User.objects.filter(role_grants__role=StaffRole.MANAGER, is_active=True).order_by("email").values_list(
        "email", flat=True).distinct()
    return list(dict.fromkeys(people))


def notify_warning(clock: Clock) -> int:
    ticket = clock.ticket
    stamp = clock.due_at.strftime("%Y%m%dT%H%M%SZ") if clock.due_at else "none"
    sent = 0
    for email in recipients(clock):
        item = enqueue_email(
            topic="sla.warning", to=email, ticket=ticket,
            subject=f"[#{ticket.pk}] SLA warning: {clock.get_metric_display()} due soon",
            body=(f"The {clock.get_metric_display().lower()} objective of ticket #{ticket.pk} "
                  f"({ticket.client.name}, severity {clock.severity}) is due at "
                  f"{clock.due_at:%Y-%m-%d %H:%M} UTC.\n\n{settings.SITE_URL}/console/tickets/{ticket.pk}/"),
            dedupe_key=f"sla.warning:{clock.pk}:{stamp}:{_key(email)}")
        sent += item is not None
    return sent


def notify_breach(clock: Clock) -> int:
    ticket = clock.ticket
    sent = 0
    for email in recipients(clock):
        item = enqueue_email(
            topic="sla.breach", to=email, ticket=ticket,
            subject=f"[#{ticket.pk}] SLA breached: {clock.get_metric_display()}",
            body=(f"The {clock.get_metric_display().lower()} objective of ticket #{ticket.pk} "
                  f"({ticket.client.name}, severity {clock.severity}) was due at "
                  f"{clock.due_at:%Y-%m-%d %H:%M} UTC; overrun {clock.overrun_seconds // 60 if clock.overrun_seconds else 0}"
                  f" business minutes when recorded.\n\n{settings.SITE_URL}/console/tickets/{ticket.pk}/"),
            dedupe_key=f"sla.breach:{clock.pk}:{_key(email)}")
        sent += item is not None
    return sent


def _key(email: str) -> str:
    """A short stable recipient key (dedupe keys are limited to 200 characters)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:20]
