"""Inbound mail: store the raw message durably (before any acknowledgement), then process it apart.

`receive` only stores: the SMTP listener answers 250, the IMAP poller deletes and the webhook answers
2xx after it returns (after commit). `process_inbound` threads the message, opens a ticket or routes it
to review, in one transaction, exactly once: a crash rolls it back and it stays pending.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.models import ClientDomain, User
from supportdesk.errors import Conflict, DomainError, Invalid, NotFound
from supportdesk.notifications.actions import enqueue_email
from supportdesk.notifications.models import OutboxItem
from supportdesk.policy.intake import can_review_mail
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.actions import MAX_BODY, MAX_SUBJECT
from supportdesk.tickets.attachments import add_attachment
from supportdesk.tickets.merges import follow_merges_for
from supportdesk.tickets.models import Message, Ticket

from .errors import IntakeError
from .limits import ack_period_hours, mail_limits
from .loops import loop_outcome
from .models import InboundMessage, InboundStatus, IntakeEvent, Outcome
from .parsing import Parsed, Unreadable, content_hash, header_message_id, parse
from .threads import find_ticket

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Received:
    inbound: InboundMessage
    created: bool  # False: a duplicate delivery of a message already stored


def receive(raw: bytes, *, channel: str, envelope_from: str = "", envelope_to: str = "") -> Received:
    """Store one message as received. Returns after commit; duplicate deliveries collapse into one row."""
    limits = mail_limits()
    size = len(raw)
    truncated = size > limits.max_bytes
    kept = raw[:limits.keep_head_bytes] if truncated else raw
    digest = hashlib.sha256(raw).hexdigest()
    message_id = header_message_id(raw)
    fingerprint = digest if truncated else content_hash(raw)
    now = timezone.now()
    inbound = InboundMessage(
        channel=channel, raw=kept, size=size, truncated=truncated, sha256=digest, message_id=message_id,
        content_hash=fingerprint, envelope_from=envelope_from[:320], envelope_to=envelope_to[:1000],
        received_at=now,
    )
    if truncated:
        inbound.status, inbound.outcome, inbound.processed_at = InboundStatus.PROCESSED, Outcome.REJECTED_SIZE, now
        inbound.error = f"The message has {size} bytes, over the limit of {limits.max_bytes}; its first " \
                        f"{len(kept)} bytes are kept."
    try:
        with transaction.atomic():
            inbound.save()
            IntakeEvent.objects.create(inbound=inbound, kind="inbound.received", created_at=now,
                                       data={"channel": channel, "size": size, "truncated": truncated})
    except IntegrityError:
        existing = InboundMessage.objects.filter(message_id=message_id, content_hash=fingerprint).first()
        if existing is None:
            raise
        return Received(existing, created=False)
    if not truncated:
        transaction.on_commit(lambda: schedule(inbound.pk))
    return Received(inbound, created=True)


def schedule(inbound_id: int) -> None:
    """Ask the job worker to process it; if that fails the periodic sweep picks it up."""
    try:
        from .tasks import process_inbound_task

        process_inbound_task(inbound_id)
    except Exception as exc:  # noqa: BLE001 - the message is stored; processing is retried by the sweep
        log.warning("could not schedule inbound %s: %s", inbound_id, exc)


def pending_ids(limit: int = 100) -> list[int]:
    """The stored messages not processed yet, oldest first (at most `limit`)."""
    return list(InboundMessage.objects.filter(status=InboundStatus.PENDING).order_by("id")
                .values_list("pk", flat=True)[:limit])


def process_pending(limit: int = 100, *, ids: Iterable[int] | None = None) -> int:
    """Process stored messages not processed yet (after a crash or restart). Returns how many were done.
    `ids` (from `pending_ids`) lets a caller show progress through them."""
    done = 0
    for pk in pending_ids(limit) if ids is None else ids:
        if process_inbound(pk).status == InboundStatus.PROCESSED:
            done += 1
    return done


def process_inbound(inbound_id: int) -> InboundMessage:
    # The attempt is counted (committed) before it starts, so a worker killed while processing (out of
    # memory, kill -9) counts it too: a message that kills every worker ends in review, not in a loop.
    started = InboundMessage.objects.filter(pk=inbound_id, status=InboundStatus.PENDING) \
        .update(attempts=F("attempts") + 1)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.select_for_update().get(pk=inbound_id)
            if inbound.status == InboundStatus.PENDING:
                if inbound.attempts > MAX_ATTEMPTS:
                    _finish(inbound, Outcome.UNPARSEABLE, f"Processing was cut short {inbound.attempts - 1} times "
                            f"(the worker stopped while reading this message). {inbound.error}".strip())
                    return inbound
                inbound.attempts -= started  # this attempt counts only if it fails or is cut short
                _process(inbound)
            return inbound
    except Exception as exc:  # noqa: BLE001 - rolled back (the attempt is counted): give up into review at last
        log.exception("processing inbound %s failed", inbound_id)
        with transaction.atomic():
            inbound = InboundMessage.objects.select_for_update().get(pk=inbound_id)
            if inbound.status != InboundStatus.PENDING:
                return inbound
            inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
            if inbound.attempts >= MAX_ATTEMPTS:
                _finish(inbound, Outcome.UNPARSEABLE, f"Processing failed {inbound.attempts} times: {inbound.error}")
            else:
                inbound.save(update_fields=["attempts", "error"])
        return inbound


def _process(inbound: InboundMessage) -> None:
    try:
        parsed = parse(bytes(inbound.raw), mail_limits())
    except Unreadable as exc:
        _finish(inbound, Outcome.UNPARSEABLE, str(exc))
        return
    inbound.sender, inbound.subject = parsed.sender, parsed.subject[:255]
    automatic = loop_outcome(parsed, inbound.envelope_from or None)
    if automatic is not None:
        ticket, _how = find_ticket(parsed)
        _finish(inbound, automatic[0], automatic[1], ticket=ticket)
        return
    source_id = _source_id(parsed, inbound)
    if _finished_as_duplicate(inbound, source_id) is not None:
        return
    user, why_not = _client_sender(parsed.sender)
    if user is None:
        _finish(inbound, Outcome.REVIEW, parsed.sender_problem or why_not)
        return
    ticket, how = find_ticket(parsed)
    notes: list[str] = []
    if ticket is not None and ticket.merged_into_id is not None:  # a reply to a duplicate goes where work continues
        followed = follow_merges_for(user, ticket)  # unless the sender may not see it: then a linked follow-up
        if followed.pk != ticket.pk:
            notes.append(f"Reply to #{ticket.pk}, which was merged into #{followed.pk}.")
        ticket = followed
    if ticket is not None and not (ticket.client_id == user.client_id and policy.can_view_ticket(user, ticket)):
        notes.append(f"The {how} points at a ticket this sender may not reply to; a new ticket was opened.")
        ticket = None
    if ticket is not None and tickets.reply_reopens(ticket):
        message = tickets.add_message(user, ticket, body=_body(parsed), body_html=parsed.body_html[:MAX_BODY],
                                      channel="email", source="email", source_id=source_id)
        problems = _attachments(ticket, message, parsed)
        _finish(inbound, Outcome.THREADED, "; ".join(notes + problems), ticket=ticket, message=message)
        return
    # Dated from when the mail arrived (stored), not from when a worker got to it: the client asked then, so the
    # response clock runs from then even when processing was late (a worker down, a retry).
    opened = tickets.open_ticket(None, requester=user, subject=_subject(parsed), body=_body(parsed),
                                 body_html=parsed.body_html[:MAX_BODY], channel="email", source="email",
                                 source_id=source_id, notify=False, at=inbound.received_at,
                                 linked_from=ticket)  # a reply to a closed ticket, or solved too long ago
    new = opened.ticket
    if ticket is not None:
        notes.append(f"Follow-up of #{ticket.pk} (no longer open to replies).")
    first = new.messages.order_by("id").first()
    problems = _attachments(new, first, parsed)
    acknowledge(user, new)
    _finish(inbound, Outcome.NEW_TICKET, "; ".join(notes + problems), ticket=new, message=first)


def acknowledge(user: User, ticket: Ticket) -> None:
    """An automatic acknowledgement, at most once per sender per period (RFC 3834 auto-replied).

    The period is a sliding window (none in the last MAIL_ACK_PERIOD_HOURS); the key of the
    period's bucket also keeps two concurrent deliveries from both acknowledging."""
    hours, now, address = ack_period_hours(), timezone.now(), user.email.lower()
    period = int(now.timestamp() // (hours * 3600))
    recent = [f"intake.ack:{address}:{bucket}" for bucket in (period, period - 1)]  # a window spans two buckets
    if OutboxItem.objects.filter(dedupe_key__in=recent, created_at__gt=now - timedelta(hours=hours)).exists():
        return
    enqueue_email(topic="ticket.acknowledgement", to=user.email, ticket=ticket,
                  subject=f"[#{ticket.pk}] Received: {ticket.subject}",
                  body=(f"We received your request #{ticket.pk}.\n"
                        f"Follow it at {settings.SITE_URL}/portal/tickets/{ticket.pk}/\n\n"
                        "Reply to this email to add to it. (This is an automatic message; we send at most one "
                        "a day to each address.)"),
                  headers={"Auto-Submitted": "auto-replied", "X-Supportdesk-Ticket": str(ticket.pk)},
                  dedupe_key=f"intake.ack:{address}:{period}")


def _client_sender(address: str) -> tuple[User | None, str]:
    """The client person this address is (identity from the address only), or why it needs review."""
    if not address:
        return None, "No sender address."
    user = User.objects.filter(email__iexact=address).first()
    if user is not None and user.is_active and user.client_id is not None:
        return user, ""
    if user is not None and user.client_id is None:
        return None, f"{address} is a staff address: staff answer in the console, not by email."
    if user is not None:
        return None, f"{address} belongs to a deactivated user."
    domain = ClientDomain.objects.filter(domain__iexact=address.rsplit("@", 1)[-1]).select_related("client").first()
    if domain is not None:
        return None, f"Unknown sender {address} at {domain.client.name}'s domain: add the person or assign."
    return None, f"Unknown sender {address} (not a client domain)."


def _source_id(parsed: Parsed, inbound: InboundMessage) -> str:
    return (parsed.message_id or f"<{inbound.content_hash}@no-message-id.invalid>")[:255]


def _subject(parsed: Parsed) -> str:
    subject = parsed.subject or "(no subject)"
    return subject if len(subject) <= MAX_SUBJECT else subject[:MAX_SUBJECT - 1] + "…"


def _body(parsed: Parsed) -> str:
    body = parsed.body_text.strip()
    if not body:
        body = "(no text; see the attachments)" if parsed.attachments else "(empty message)"
    if len(body) > MAX_BODY:
        note = "\n\n[Message shortened; the full text is in the original message kept by intake.]"
        body = body[:MAX_BODY - len(note)] + note
    return body


def _attachments(ticket: Ticket, message: Message | None, parsed: Parsed) -> list[str]:
    """Store each attachment apart: one that fails is reported, the others are kept."""
    problems = list(parsed.problems)
    for item in parsed.attachments:
        if item.payload is None:
            continue  # already reported by the parser
        if not item.payload:
            problems.append(f"attachment {item.filename!r} is empty")
            continue
        try:
            add_attachment(None, ticket, upload=io.BytesIO(item.payload), filename=item.filename,
                           content_type=item.content_type, message=message, source="email")
        except DomainError as exc:
            problems.append(f"attachment {item.filename!r} not kept: {exc.message}")
        except Exception as exc:  # noqa: BLE001 - storage trouble with one file never loses the message
            log.warning("attachment %r of ticket %s failed: %s", item.filename, ticket.pk, exc)
            problems.append(f"attachment {item.filename!r} not kept: {type(exc).__name__}")
    return problems


def _finished_as_duplicate(inbound: InboundMessage, source_id: str, actor: User | None = None) -> Message | None:
    """The message already threaded under this Message-ID, with `inbound` finished as its duplicate; else None."""
    earlier = (Message.objects.filter(channel="email", source_id=source_id).select_related("ticket").first()
               if source_id else None)
    if earlier is not None:
        by = f"; this copy was not added again ({actor.email})" if actor is not None else ""
        _finish(inbound, Outcome.DUPLICATE, f"Message-ID {source_id} is already on ticket #{earlier.ticket_id}{by}",
                ticket=earlier.ticket, message=earlier, actor=actor)
    return earlier


def _finish(inbound: InboundMessage, outcome: str, error: str = "", *, ticket: Ticket | None = None,
            message: Message | None = None, actor: User | None = None) -> None:
    inbound.status, inbound.outcome, inbound.error = InboundStatus.PROCESSED, outcome, error[:4000]
    inbound.ticket, inbound.ticket_message, inbound.processed_at = ticket, message, timezone.now()
    if actor is not None:
        inbound.reviewed_by = actor
    inbound.save()
    IntakeEvent.objects.create(inbound=inbound, actor=actor, kind=f"inbound.{outcome}", created_at=timezone.now(),
                               data={"ticket": ticket.pk if ticket else None, "note": error[:500]})


# Staff review -----------------------------------------------------------------------------------------

def _review_item(actor: Any, inbound_id: int) -> InboundMessage:
    if not can_review_mail(actor):
        raise NotFound("message")
    inbound = InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()
    if inbound is None:
        raise NotFound("message")
    if not inbound.needs_review:
        raise Conflict(IntakeError.ALREADY_HANDLED,
                       f"This message was already handled ({inbound.get_outcome_display().lower()}).")
    return inbound


def assign_to_requester(actor: User, inbound_id: int, *, requester: User) -> Ticket:
    """Open a ticket from a message in review, for a client person staff chose."""
    if requester is None or requester.client_id is None or not requester.is_active:
        raise Invalid(IntakeError.BAD_REQUESTER, "Choose an active client user to open the ticket for.",
                      fields={"requester": "not an active client user"})
    with transaction.atomic():
        inbound = _review_item(actor, inbound_id)
        try:
            parsed: Parsed | None = parse(bytes(inbound.raw), mail_limits())
        except Unreadable:
            parsed = None
        source_id = _source_id(parsed, inbound) if parsed else ""
        earlier = _finished_as_duplicate(inbound, source_id, actor=actor)
        if earlier is not None:  # another copy of this message (same Message-ID) was assigned or threaded already
            return earlier.ticket
        subject = _subject(parsed) if parsed else f"Email from {inbound.sender or 'unknown sender'}"
        body = _body(parsed) if parsed else "(The original message could not be read; it is attached.)"
        if inbound.truncated:
            body += f"\n\n[Only the first {len(bytes(inbound.raw))} of {inbound.size} bytes were kept.]"
        opened = tickets.open_ticket(actor, requester=requester, subject=subject, body=body,
                                     body_html=parsed.body_html[:MAX_BODY] if parsed else "", channel="email",
                                     source="email", source_id=source_id, notify=False,
                                     at=inbound.received_at)  # the client wrote then (as a claimed call: R20)
        message = opened.ticket.messages.order_by("id").first()
        if parsed is not None:
            _attachments(opened.ticket, message, parsed)
        else:
            add_attachment(None, opened.ticket, upload=io.BytesIO(bytes(inbound.raw)), filename="original.eml",
                           content_type="message/rfc822", message=message, internal=True, source="email")
        _finish(inbound, Outcome.NEW_TICKET, f"Assigned to {requester.email} by {actor.email}.",
                ticket=opened.ticket, message=message, actor=actor)
    return opened.ticket


def dismiss(actor: User, inbound_id: int) -> InboundMessage:
    with transaction.atomic():
        inbound = _review_item(actor, inbound_id)
        _finish(inbound, Outcome.DISMISSED, f"Dismissed by {actor.email}.", ticket=inbound.ticket, actor=actor)
    return inbound
