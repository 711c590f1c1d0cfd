"""TAM actions shared by the whole context, plus escalation, reassignment and the feed token.

Calls, visits, upgrades and library items have their own action modules (`calls`, `visits`,
`upgrades`, `library`); all follow the same shape: check, then do in one transaction with a TamEvent.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.actions import assign_tam, current_tam
from supportdesk.accounts.models import Client, ClientRole, TamAssignment, User
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import Forbidden, Invalid, NotFound
from supportdesk.idempotency_keys import Written, check_key, request_digest
from supportdesk.notifications.actions import enqueue_email
from supportdesk.policy import tam as tam_policy
from supportdesk.tickets import actions as ticket_actions
from supportdesk.tickets.models import Ticket

from .errors import TamError
from .models import CallOccurrence, CallSeries, FeedToken, OccurrenceStatus, TamEvent


def log(client: Client | None, actor: User | None, kind: str, **data: Any) -> TamEvent:
    return TamEvent.objects.create(client=client, actor=actor, kind=kind, data=data)


def require_worker(actor: User | None, client: Client) -> None:
    """The client's current TAM, a manager or a system admin (None: the system itself)."""
    if actor is not None and not tam_policy.can_work_client(actor, client):
        raise NotFound("client")


def require_feature(client: Client, feature: str, label: str, at: Any = None) -> Any:
    value = getattr(entitlements_for(client, at or timezone.now()).features, feature)
    if not value:
        raise Invalid(TamError.NOT_ENTITLED, f"{client.name} is not entitled to {label} (no plan in force grants "
                      f"{feature}).", fields={feature: "not entitled"})
    return value


def client_admin_emails(client: Client) -> list[str]:
    return list(client.people.filter(client_role=ClientRole.ADMIN, is_active=True)
                .order_by("email").values_list("email", flat=True))


def escalate_to_tam(actor: User, ticket: Ticket, *, reason: str = "", assign: bool = False,
                    source: str = "web") -> Ticket:
    """Record the escalation on the ticket, mail the TAM through the outbox, optionally assign the ticket."""
    return escalate(actor, ticket, reason=reason, assign=assign, source=source).record


def escalate(actor: User, ticket: Ticket, *, reason: str = "", assign: bool = False, source: str = "web",
             idempotency_key: str | None = None) -> Written[Ticket]:
    """`escalate_to_tam`, honouring the person's `idempotency_key` (an API Idempotency-Key, the ticket panel's
    submission): the same key with the same ticket, reason and `assign` answers the ticket as it is now (created
    False) and mails the TAM no second time; the same key with anything else is 422 `tam.idempotency_key_reused`.
    The key is kept (hashed) with the request's digest on the escalation's TamEvent, never on the ticket's history,
    which webhooks publish; the ticket's row lock serialises a retry with its first attempt."""
    if not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    if not tam_policy.can_escalate_to_tam(actor, ticket):
        raise Forbidden("Only support staff escalate tickets to the TAM.", code="tam.escalate_forbidden")
    check_key(idempotency_key, TamError.BAD_IDEMPOTENCY_KEY)
    reason = " ".join(str(reason or "").split())[:1000]
    marker = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32] if idempotency_key else None
    sent = request_digest("escalation", ticket.pk, reason, bool(assign))

    def earlier() -> Ticket | None:
        found = TamEvent.objects.filter(actor=actor, kind="ticket.escalated", data__retry=marker).first()
        if found is None:
            return None
        if found.data.get("request") != sent:
            raise Invalid(TamError.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for another "
                          "escalation; send a new key for a new escalation.",
                          fields={"Idempotency-Key": "reused with another body"})
        return Ticket.objects.get(pk=found.data["ticket"])

    if marker and (answered := earlier()) is not None:
        return Written(answered, created=False)
    tam = current_tam(ticket.client)
    if tam is None:
        raise Invalid(TamError.NO_TAM, f"{ticket.client.name} has no Technical Account Manager to escalate to.",
                      fields={"ticket": "client has no TAM"})
    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        if marker and (answered := earlier()) is not None:  # the first attempt committed while this one waited
            return Written(answered, created=False)
        ticket_actions.record_event(ticket, actor, "ticket.escalated_to_tam", source, tam=tam.email,
                                    tam_id=tam.pk, reason=reason, assigned=bool(assign))
        enqueue_email(topic="tam.escalation", to=tam.email, ticket=ticket,
                      subject=f"[#{ticket.pk}] Escalated to you: {ticket.subject}",
                      body=(f"{actor.display_name} escalated ticket #{ticket.pk} of {ticket.client.name} "
                            f"(severity {ticket.severity}) to you.\n\nReason: {reason or '(none given)'}\n\n"
                            f"{settings.SITE_URL}/console/tickets/{ticket.pk}/"),
                      headers={"X-Supportdesk-Ticket": str(ticket.pk)})
        log(ticket.client, actor, "ticket.escalated", ticket=ticket.pk, tam=tam.email, reason=reason,
            **({"retry": marker, "request": sent} if marker else {}))
        if assign and ticket.assignee_id != tam.pk:
            fresh = Ticket.objects.get(pk=ticket.pk)
            ticket = ticket_actions.update_ticket(actor, fresh, expected_version=fresh.version, source=source,
                                                  assignee=tam)
    return Written(ticket, created=True)


def reassign_tam(actor: User, *, client: Client, tam: User) -> TamAssignment:
    """A manager hands the client to another TAM: history kept (accounts.assign_tam), the call series
    follow the new TAM and future invitations are re-sent with the new organizer."""
    if not tam_policy.can_reassign_tam(actor):
        raise Forbidden("Only support managers reassign TAMs.", code="tam.reassign_forbidden")
    require_feature(client, "dedicated_tam", "a dedicated TAM")
    from . import calls

    with transaction.atomic():
        assignment = assign_tam(actor, client=client, tam=tam)
        now = timezone.now()
        for series in CallSeries.objects.select_for_update().filter(client=client, cancelled_at__isnull=True):
            if series.tam_id == tam.pk:
                continue
            previous = series.tam.email
            series.tam = tam
            series.save(update_fields=["tam"])
            for occ in series.occurrences.filter(status=OccurrenceStatus.SCHEDULED, starts_at__gt=now):
                occ.series = series
                calls.bump_and_send(occ, reason="organizer changed", dropped={previous})
        log(client, actor, "tam.reassigned", tam=tam.email)
    return assignment


def feed_token(user: User, *, rotate: bool = False) -> str:
    """The TAM's calendar feed secret (created on first use; `rotate` revokes the old URL)."""
    if not (policy.has_role(user, "tam") or tam_policy.is_tam_manager(user)):
        raise Forbidden("Calendar feeds are for TAMs and managers.", code="tam.feed_forbidden")
    with transaction.atomic():
        row = FeedToken.objects.select_for_update().filter(user=user).first()
        if row is None or rotate:
            token = secrets.token_urlsafe(32)
            FeedToken.objects.update_or_create(user=user, defaults={"token": token})
            log(None, user, "feed.rotated" if row else "feed.created")
            return token
        return row.token


def user_for_feed(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    row = FeedToken.objects.select_related("user").filter(token=token).first()
    return row.user if row and row.user.is_active else None


def occurrence_of(occ_id: int) -> CallOccurrence:
    occ = CallOccurrence.objects.select_related("series", "series__client", "series__tam").filter(pk=occ_id).first()
    if occ is None:
        raise NotFound("call")
    return occ
