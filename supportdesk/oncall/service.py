"""The 24/7 hook: a new severity 1 or 2 ticket from a 24/7 client outside business hours pages on-call.

Called by tickets.actions.open_ticket right after sla.start_planned (the clocks), inside its transaction, so the
outbox row exists exactly when the ticket does.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from supportdesk.accounts.models import StaffRole, User
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.local_times import person_zone, shown_with_utc
from supportdesk.notifications.actions import enqueue_email
from supportdesk.tickets.models import Ticket

from .hours import in_business_hours
from .models import RotaEvent
from .rota import who_is_on_call

URGENT_SEVERITIES = (1, 2)


def needs_on_call(ticket: Ticket) -> bool:
    if ticket.severity not in URGENT_SEVERITIES or in_business_hours(ticket.created_at):
        return False
    return entitlements_for(ticket.client, ticket.created_at).features.coverage_24x7


def notify_on_call_if_needed(ticket: Ticket) -> User | None:
    """Email the person on call now (or the managers when the rota has a gap). Returns who was paged."""
    if not needs_on_call(ticket):
        return None
    earlier = RotaEvent.objects.filter(ticket=ticket, kind__in=("oncall.paged", "oncall.gap_paged_managers")).first()
    if earlier is not None:  # already paged for this ticket: page nobody twice
        return User.objects.filter(pk=(earlier.data.get("to") or [None])[0]).first() if earlier.kind == "oncall.paged" else None
    person = who_is_on_call(ticket.created_at)
    subject = f"[#{ticket.pk}] ON CALL: severity {ticket.severity} from {ticket.client.name}: {ticket.subject}"
    recipients = [person] if person else list(
        User.objects.filter(role_grants__role=StaffRole.MANAGER, is_active=True).distinct().order_by("email"))
    for who in recipients:
        enqueue_email(topic="oncall.page", to=who.email, ticket=ticket, subject=subject, body=_page_body(ticket, who),
                      headers={"X-Supportdesk-Ticket": str(ticket.pk), "Importance": "high"},
                      dedupe_key=f"oncall:{ticket.pk}:{who.pk}")
    RotaEvent.objects.create(actor=None, kind="oncall.paged" if person else "oncall.gap_paged_managers",
                             ticket=ticket, created_at=timezone.now(),
                             data={"to": [w.pk for w in recipients], "severity": ticket.severity})
    from supportdesk.tickets.actions import record_event

    record_event(ticket, None, "oncall.notified", "system", to=[w.email for w in recipients], on_call=bool(person))
    return person


def _page_body(ticket: Ticket, who: User) -> str:
    """The page, with the opening time in the paged person's own zone (and UTC)."""
    return (f"A severity {ticket.severity} ticket arrived outside business hours from {ticket.client.name}, "
            f"a 24/7 Support client.\n\nTicket #{ticket.pk}: {ticket.subject}\n"
            f"Opened {shown_with_utc(ticket.created_at, person_zone(who))} via {ticket.channel}.\n\n"
            f"{settings.SITE_URL}/console/tickets/{ticket.pk}/")
