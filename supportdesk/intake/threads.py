"""Which ticket a message answers: In-Reply-To, then References, then a [#123] token in the subject."""

from __future__ import annotations

import re

from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Message, Ticket

from .parsing import Parsed

TOKEN_RE = re.compile(r"\[#(\d{1,12})\]")


def ticket_for_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the latest of these Message-IDs we know (our outbound mail or stored inbound)."""
    for message_id in reversed(ids):
        item = OutboxItem.objects.filter(message_id=message_id, ticket__isnull=False).select_related("ticket").first()
        if item is not None and item.ticket is not None:
            return item.ticket
        message = Message.objects.filter(channel="email", source_id=message_id).select_related("ticket").first()
        if message is not None:
            return message.ticket
    return None


def find_ticket(parsed: Parsed) -> tuple[Ticket | None, str]:
    """(ticket, how it was found) or (None, "")."""
    ticket = ticket_for_ids(parsed.in_reply_to)
    if ticket is not None:
        return ticket, "in-reply-to"
    ticket = ticket_for_ids(parsed.references)
    if ticket is not None:
        return ticket, "references"
    for match in TOKEN_RE.finditer(parsed.subject):
        ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
        if ticket is not None:
            return ticket, "subject token"
    return None, ""
