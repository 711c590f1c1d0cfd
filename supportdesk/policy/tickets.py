"""Tickets: who sees which, and who may do what on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q, QuerySet

from supportdesk.accounts.models import StaffRole
from supportdesk.tickets.models import Attachment, Message, MessageKind, Status, Ticket, TicketEvent

from .roles import STAFF_WORKERS, has_role, is_client_admin, is_client_person, is_designated


@dataclass(frozen=True)
class TicketScope:
    """Which tickets a person sees: all, one client's, one client's of one requester, or none."""

    kind: Literal["all", "client", "requester", "none"]
    client_id: int = 0  # "client" and "requester" only
    requester_id: int = 0  # "requester" only

    def covers(self, ticket: Ticket) -> bool:
        """`visible_tickets` for one ticket already in memory (its client and requester as loaded)."""
        if self.kind == "all":
            return True
        if self.kind == "client":
            return ticket.client_id == self.client_id
        if self.kind == "requester":
            return ticket.client_id == self.client_id and ticket.requester_id == self.requester_id
        return False


def ticket_scope(user: Any) -> TicketScope:
    """Client users: their own; client admins and designated users: their client's; working staff: all."""
    if has_role(user, *STAFF_WORKERS):
        return TicketScope("all")
    if is_client_person(user):
        if is_client_admin(user) or is_designated(user):
            return TicketScope("client", client_id=user.client_id)  # type: ignore[attr-defined]
        return TicketScope("requester", client_id=user.client_id, requester_id=user.pk)  # type: ignore[attr-defined]
    return TicketScope("none")


def visible_tickets(user: Any, qs: QuerySet[Ticket] | None = None, *,
                    scope: TicketScope | None = None) -> QuerySet[Ticket]:
    """The tickets `ticket_scope(user)` describes (pass `scope` when already computed)."""
    qs = Ticket.objects.all() if qs is None else qs
    scope = ticket_scope(user) if scope is None else scope
    if scope.kind == "all":
        return qs
    if scope.kind == "client":
        return qs.filter(client_id=scope.client_id)
    if scope.kind == "requester":
        return qs.filter(Q(client_id=scope.client_id) & Q(requester_id=scope.requester_id))
    return qs.none()


def can_view_ticket(user: Any, ticket: Ticket) -> bool:
    """`visible_tickets` answered from the ticket in memory: no query per check (a reply with files asks once per
    file); tests hold the two to the same answer for every role."""
    return ticket_scope(user).covers(ticket)


def can_open_for_requester(user: Any) -> bool:
    """Opening a ticket on behalf of a client user: staff who work tickets (who then see it)."""
    return has_role(user, *STAFF_WORKERS)


def can_merge_tickets(user: Any) -> bool:
    """Closing a duplicate into another ticket of the same client: staff who work tickets."""
    return has_role(user, *STAFF_WORKERS)


def can_see_internal(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def can_reply(user: Any, ticket: Ticket) -> bool:
    return can_view_ticket(user, ticket)


def can_comment_internally(user: Any, ticket: Ticket) -> bool:
    return has_role(user, *STAFF_WORKERS)


# The statuses a client person may set on a ticket it sees: solve it, or reopen it. "Waiting on client" and
# "on hold" pause SLA clocks and "closed" ends the conversation: staff decisions.
CLIENT_SETTABLE_STATUSES = frozenset({Status.SOLVED, Status.OPEN})


def can_change_ticket_fields(user: Any, ticket: Ticket, fields: set[str], *, status: str | None = None) -> bool:
    """Staff change anything; a client may only solve or reopen its own visible ticket (pass the new `status`)."""
    if has_role(user, *STAFF_WORKERS):
        return True
    if status in Status.values and status != ticket.status and status not in CLIENT_SETTABLE_STATUSES:
        return False
    return can_view_ticket(user, ticket) and fields <= {"status"}


def visible_merge_target(user: Any, ticket: Ticket) -> int | None:
    """The ticket `ticket` was merged into, by id, when `user` may see it (the rule of the merge notice and of the
    `ticket.merged` event): a client user who sees only their own tickets is not told of a colleague's ticket."""
    if ticket.merged_into_id is None:
        return None
    if ticket_scope(user).kind == "all":
        return ticket.merged_into_id
    return ticket.merged_into_id if can_view_ticket(user, ticket.merged_into) else None  # type: ignore[arg-type]


def visible_messages(user: Any, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author")
    return qs if can_see_internal(user) else qs.exclude(kind=MessageKind.INTERNAL)


# History rows that carry staff-only words: an internal note, an escalation to the TAM (its `reason` is an
# agent's note to the TAM, mailed to them only; the client sees the TAM as its contact anyway), and the on-call
# page (it names the staff paged and their addresses: the vendor's rota, not the client's business).
STAFF_ONLY_EVENT_KINDS = ("message.internal", "ticket.escalated_to_tam", "oncall.notified")


def visible_events(user: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """A ticket's history as this person may see it: clients see no internal note, no escalation to the TAM and no
    internal file; a client user who sees only their own tickets does not see which colleague's ticket was merged
    into theirs, nor into which colleague's ticket theirs was merged (`visible_merge_target`)."""
    qs = ticket.events.select_related("actor")
    if can_see_internal(user):
        return qs
    qs = qs.exclude(kind__in=STAFF_ONLY_EVENT_KINDS).exclude(kind="attachment.added", data__internal=True)
    if ticket_scope(user).kind != "client":
        qs = qs.exclude(Q(kind="ticket.merged") & ~Q(data__requester=getattr(user, "email", "")))
    if ticket.merged_into_id is not None and visible_merge_target(user, ticket) is None:
        qs = qs.exclude(kind="ticket.merged_into")
    return qs


def visible_attachments(user: Any, qs: QuerySet[Attachment] | None = None) -> QuerySet[Attachment]:
    qs = Attachment.objects.all() if qs is None else qs
    qs = qs.filter(ticket__in=visible_tickets(user))
    return qs if can_see_internal(user) else qs.filter(internal=False)


def is_manager(user: Any) -> bool:
    return has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN)
