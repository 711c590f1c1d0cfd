"""Merging a duplicate ticket into another of the same client (an email, a call and a chat about one outage).

The duplicate (source) is closed with `merged_into` set and stays readable. A merge is no response: its
running clocks move to the target (sla.carry_open_clocks), whose first reply meets or breaches them. The target
gets an internal note carrying the source's conversation; the source's requester may be told by email where
the work continues. Whatever later arrives for the source by email, chat or phone goes to the target when the
sender may see it (`follow_merges_for`), else to a follow-up linked to the source.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import Conflict, Forbidden, Invalid, NotFound
from supportdesk.notifications.actions import enqueue_email
from supportdesk.sla import service as sla

from .actions import _set_status, add_message, record_event
from .errors import TicketError
from .models import MessageKind, Status, Ticket

MAX_TRANSCRIPT = 20_000
MAX_MERGE_HOPS = 20


def merge_ticket(actor: User | None, source: Ticket, target: Ticket, *, tell_requester: bool = True,
                 via: str = "web") -> Ticket:
    """Close `source` as a duplicate of `target`; returns the target. Refused (changing nothing) for the
    same ticket, another client's ticket, a closed, solved or already merged ticket, or a merge that would loop.
    The source's open clocks move to the target (sla.carry_open_clocks): a merge answers nobody."""
    _check_may_merge(actor, source, target)
    with transaction.atomic():
        # Locked in id order (two crossed merges cannot deadlock), the tickets only: not their client's row.
        locked = {t.pk: t for t in Ticket.objects.select_for_update(of=("self",))
                  .filter(pk__in=(source.pk, target.pk)).select_related("requester", "client").order_by("pk")}
        src, tgt = locked[source.pk], locked[target.pk]
        _check_mergeable(src, tgt)
        add_message(actor, tgt, body=_transcript(src), kind=MessageKind.INTERNAL, source=via,
                    source_id=f"merge:{src.pk}", from_staff=True)
        sla.carry_open_clocks(src, tgt)
        notice = _notice(src, tgt)
        add_message(actor, src, body=notice, kind=MessageKind.INTERNAL, source=via, from_staff=True)
        if tell_requester:  # an email, not a public reply: telling where work goes is no response (R5)
            enqueue_email(topic="ticket.merged", to=src.requester.email, ticket=src,
                          subject=f"[#{src.pk}] {src.subject}", body=notice,
                          headers={"X-Supportdesk-Ticket": str(src.pk)})
        src.refresh_from_db()
        _set_status(src, actor, Status.CLOSED, via)
        src.merged_into = tgt
        src.save(update_fields=["status", "is_open", "solved_at", "merged_into"])
        Ticket.objects.filter(pk=src.pk).update(version=src.version + 1)
        record_event(src, actor, "ticket.merged_into", via, into=tgt.pk)
        record_event(tgt, actor, "ticket.merged", via, merged=src.pk, requester=src.requester.email)
    tgt.refresh_from_db()
    return tgt


def follow_merges(ticket: Ticket) -> Ticket:
    """The ticket a reply to `ticket` belongs to: itself, or the ticket it was merged into (and so on)."""
    hops = 0
    while ticket.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        ticket = Ticket.objects.select_related("client", "requester").get(pk=ticket.merged_into_id)
        hops += 1
    return ticket


def follow_merges_for(person: User | None, ticket: Ticket) -> Ticket:
    """Where `person`'s reply to `ticket` goes: the ticket it was merged into when they may see it; else the
    ticket itself (closed, so the caller opens a follow-up linked to it, as for any closed ticket)."""
    followed = follow_merges(ticket)
    if person is not None and not policy.can_view_ticket(person, followed):
        return ticket
    return followed


def _notice(source: Ticket, target: Ticket) -> str:
    """What the duplicate's requester is told: the target by number and subject only if they may see it."""
    if policy.can_view_ticket(source.requester, target):
        return (f"This request was merged into #{target.pk} ({target.subject}), where our work on it continues. "
                f"Replies to this ticket's emails reach #{target.pk}.")
    return ("This request was merged with a related request from your organisation, where our work on it "
            "continues; your organisation's administrator can follow it. If you have more to add, reply to this "
            "email: it opens a follow-up linked to this request.")


def _check_may_merge(actor: User | None, source: Ticket, target: Ticket) -> None:
    if actor is None:
        return
    if not (policy.can_view_ticket(actor, source) and policy.can_view_ticket(actor, target)):
        raise NotFound("ticket")
    if not policy.can_merge_tickets(actor):
        raise Forbidden("Only support staff who work tickets merge them.", code=TicketError.MERGE_FORBIDDEN)


def _check_mergeable(source: Ticket, target: Ticket) -> None:
    if source.pk == target.pk:
        raise Invalid(TicketError.MERGE_SELF, "A ticket cannot be merged into itself.", fields={"into": "same ticket"})
    if source.client_id != target.client_id:
        raise Invalid(TicketError.MERGE_OTHER_CLIENT,
                      f"#{target.pk} belongs to {target.client.name}, #{source.pk} to {source.client.name}: only "
                      "tickets of the same client are merged.", fields={"into": "another client's ticket"})
    if target.status == Status.SOLVED:
        raise Conflict(TicketError.MERGE_CLOSED, f"#{target.pk} is solved; reopen it before merging into it.")
    for ticket, role in ((source, "merged"), (target, "merged into")):
        if ticket.merged_into_id is not None:
            raise Conflict(TicketError.MERGE_ALREADY_MERGED,
                           f"#{ticket.pk} was already merged into #{ticket.merged_into_id}; it cannot be {role}.",
                           details={"merged_into": ticket.merged_into_id})
        if ticket.status == Status.CLOSED:
            raise Conflict(TicketError.MERGE_CLOSED, f"#{ticket.pk} is closed; it cannot be {role}.")


def _transcript(source: Ticket) -> str:
    """The internal note on the target: where the duplicate came from and its public conversation."""
    head = (f"Merged from #{source.pk} ({source.subject}), opened by {source.requester.display_name} "
            f"<{source.requester.email}> via {source.get_channel_display()} on "
            f"{source.created_at:%Y-%m-%d %H:%M} UTC. {settings.SITE_URL}/console/tickets/{source.pk}/")
    parts = [head]
    for message in source.messages.select_related("author").exclude(kind=MessageKind.INTERNAL).order_by("created_at", "id"):
        author = message.author.display_name if message.author else "system"
        parts.append(f"--- {author}, {message.created_at:%Y-%m-%d %H:%M} UTC:\n{message.body}")
    text = "\n\n".join(parts)
    if len(text) > MAX_TRANSCRIPT:
        text = text[:MAX_TRANSCRIPT] + f"\n\n(... the rest is on #{source.pk})"
    return text
