"""Every state change of a ticket: check first, then do, in one transaction, writing a TicketEvent.

Views, the API, intake (email, chat, phone) and jobs all come through here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.models import Client, User
from supportdesk.errors import Conflict, Forbidden, Invalid, NotFound
from supportdesk.notifications.actions import add_email, enqueue_email, thread_headers_from
from supportdesk.notifications.webhooks import active_subscribers, publish_ticket_event
from supportdesk.oncall.service import needs_on_call, notify_on_call_if_needed
from supportdesk.prepared_inserts import InsertBatch, insert
from supportdesk.sla import service as sla

from . import search
from .errors import TicketError
from .models import (
    OPEN_STATUSES,
    QUEUE_RANK,
    Category,
    Message,
    MessageKind,
    Queue,
    Status,
    Ticket,
    TicketEvent,
)
from .routing import queue_for

MAX_SUBJECT = 200
MAX_BODY = 100_000

# Which statuses may follow which; staff may also reopen solved tickets.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.WAITING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.OPEN: {Status.WAITING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.WAITING: {Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.ON_HOLD: {Status.OPEN, Status.WAITING, Status.SOLVED, Status.CLOSED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool  # False when an Idempotency-Key replay returned the earlier ticket
    queue_reason: str = ""


def record_event(ticket: Ticket, actor: User | None, kind: str, source: str, **data: Any) -> TicketEvent:
    event = insert(TicketEvent(ticket=ticket, actor=actor, kind=kind, source=source, data=data,
                               created_at=timezone.now()))
    publish_ticket_event(ticket, actor, kind, source, data, event.created_at)  # outbound webhooks, same transaction
    return event


def open_ticket(actor: User | None, *, subject: str, body: str, severity: int = 3, channel: str = "portal",
                client: Client | None = None, requester: User | None = None, category: Category | None = None,
                source: str = "web", idempotency_key: str | None = None, source_id: str = "",
                body_html: str = "", at: datetime | None = None, queue: str | None = None,
                notify: bool = True, linked_from: Ticket | None = None) -> Opened:
    """Open a ticket for a client user (the actor, or a requester named by staff or intake). `linked_from`: the
    closed (or merged) ticket this one follows up, for a reply that reached it too late (email, chat, phone)."""
    subject, body = _clean_subject(subject), _clean_body(body)
    severity = _severity(severity)
    requester, client = _requester_and_client(actor, requester, client)
    fingerprint = _fingerprint(subject, body, severity, channel, client.pk, category.pk if category else None)
    if idempotency_key:
        replay = _idempotent_replay(requester, idempotency_key, fingerprint)
        if replay:
            return Opened(replay, created=False)
    now = at or timezone.now()
    decision = queue_for(client, requester, now)
    chosen_queue = queue or decision.queue
    # Reads, calendar arithmetic and every row's values first: the write transaction below holds SQLite's
    # one write lock, and inside it only the INSERT statements run (prepared_inserts.InsertBatch).
    clocks = sla.plan_opening(client, severity, now)
    rows = InsertBatch()
    ticket = rows.add(Ticket(
        client=client, requester=requester, severity=severity, status=Status.NEW, channel=channel,
        queue=chosen_queue, queue_rank=QUEUE_RANK[Queue(chosen_queue)], category=category, subject=subject,
        idempotency_key=idempotency_key or None, idempotency_hash=fingerprint if idempotency_key else "",
        created_at=now, updated_at=now, sla_due_at=clocks.sla_due_at, sla_state=clocks.sla_state,
        linked_from=linked_from,
    ))
    message = rows.add(Message(ticket=ticket, author=requester, kind=MessageKind.PUBLIC, channel=channel,
                               body=body, body_html=body_html, source_id=source_id, created_at=now))
    event_data = {"severity": severity, "channel": channel, "queue": chosen_queue, "queue_reason": decision.reason}
    rows.add(TicketEvent(ticket=ticket, actor=actor, kind="ticket.opened", source=source, created_at=timezone.now()),
             at_insert={"data": lambda: {**event_data, "message_id": message.pk}})
    if linked_from is not None:
        rows.add(TicketEvent(ticket=ticket, actor=actor, kind="ticket.linked", source=source,
                             data={"linked_from": linked_from.pk}, created_at=now))
    started = sla.add_planned(rows, ticket, clocks)
    acknowledgement = InsertBatch()  # after any on-call page, which goes out first
    if notify:
        _acknowledge(acknowledgement, ticket, opening_source_id=source_id if channel == "email" else "")
    # Read outside the write lock: cached answers whose revision check inside it would be a query again.
    subscribers, page_on_call = active_subscribers(), needs_on_call(ticket)
    try:
        with transaction.atomic():
            rows.insert()
            publish_ticket_event(ticket, actor, "ticket.opened", source, {**event_data, "message_id": message.pk}, now,
                                 subscribers)  # webhooks: the rows' events, as record_event publishes them
            if linked_from is not None:
                publish_ticket_event(ticket, actor, "ticket.linked", source, {"linked_from": linked_from.pk}, now,
                                     subscribers)
            sla.settle_planned(ticket, clocks, started)
            if page_on_call:
                notify_on_call_if_needed(ticket)
            acknowledgement.insert()
    except IntegrityError:
        if idempotency_key:
            replay = _idempotent_replay(requester, idempotency_key, fingerprint)
            if replay:
                return Opened(replay, created=False)
        raise
    return Opened(ticket, created=True, queue_reason=decision.reason)


@dataclass(frozen=True)
class Added:
    message: Message
    created: bool  # False when an idempotency key's replay returned the earlier message


def add_message(actor: User | None, ticket: Ticket, *, body: str, kind: str = MessageKind.PUBLIC,
                channel: str = "portal", source: str = "web", source_id: str = "", body_html: str = "",
                at: datetime | None = None, from_staff: bool | None = None) -> Message:
    """A public reply, an internal note or a logged call. Staff public messages count as a response."""
    return write_message(actor, ticket, body=body, kind=kind, channel=channel, source=source, source_id=source_id,
                         body_html=body_html, at=at, from_staff=from_staff).message


def write_message(actor: User | None, ticket: Ticket, *, body: str, kind: str = MessageKind.PUBLIC,
                  channel: str = "portal", source: str = "web", source_id: str = "", body_html: str = "",
                  at: datetime | None = None, from_staff: bool | None = None,
                  idempotency_key: str | None = None) -> Added:
    """`add_message`, honouring the author's `idempotency_key` (an API Idempotency-Key, a web form's submission):
    the same key with the same ticket, kind and text returns the earlier message (created False), also once the
    ticket has closed since; the same key with anything else is 422 `ticket.idempotency_key_reused`."""
    body = _clean_body(body)
    staff = policy.is_staff_member(actor) if from_staff is None else from_staff
    if actor is not None and not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    if kind == MessageKind.INTERNAL and not (actor is None or policy.can_comment_internally(actor, ticket)):
        raise Forbidden("Only support staff can add internal notes.", code="ticket.internal_note_forbidden")
    if kind == MessageKind.CALL and not staff:
        raise Forbidden("Only support staff can log calls.", code="ticket.call_log_forbidden")
    key = idempotency_key if actor is not None else None  # scoped to an author: intake and jobs have their source_id
    if key and (earlier := _earlier_message(actor, key, ticket, kind, body)):
        return Added(earlier, created=False)
    refuse_closed_for_client(actor, ticket, staff)
    now = at or timezone.now()
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            # Again under the ticket's lock: a retry racing its first attempt waits here, then finds its message.
            if key and (earlier := _earlier_message(actor, key, locked, kind, body)):
                return Added(earlier, created=False)
            refuse_closed_for_client(actor, locked, staff)  # again under the lock: a close or a merge may have just won
            message = Message.objects.create(ticket=locked, author=actor, kind=kind, channel=channel, body=body,
                                             body_html=body_html, source_id=source_id, from_staff=staff,
                                             idempotency_key=key, created_at=now)
            record_event(locked, actor, f"message.{kind}", source, message_id=message.pk, channel=channel)
            if kind != MessageKind.INTERNAL:
                if staff:
                    _after_staff_message(locked, actor, message, source)
                else:
                    _after_client_message(locked, actor, message, source)
            _bump(locked, now)
    except IntegrityError:
        # The same key used at the same moment on another ticket (another row lock): the unique index refused it.
        if key and (earlier := _earlier_message(actor, key, ticket, kind, body)):
            return Added(earlier, created=False)
        raise
    ticket.refresh_from_db()
    return Added(message, created=True)


def _earlier_message(author: User | None, key: str, ticket: Ticket, kind: str, body: str) -> Message | None:
    earlier = Message.objects.filter(author=author, idempotency_key=key).first()
    if earlier is None:
        return None
    if (earlier.ticket_id, earlier.kind, earlier.body) != (ticket.pk, kind, body):
        raise Invalid(TicketError.IDEMPOTENCY_KEY_REUSED,
                      "This Idempotency-Key was already used with a different request (another ticket, kind or text).",
                      fields={"Idempotency-Key": "reused with another body"})
    return earlier


def refuse_closed_for_client(actor: User | None, ticket: Ticket, staff: bool, field: str = "body") -> None:
    """A closed ticket takes nothing more from its client (a reply, a file, a status): 422 `ticket.closed` naming
    `field`. Staff may still write on it. The ticket it was merged into is named only to those who may see it."""
    if ticket.status != Status.CLOSED or staff:
        return
    target = ticket.merged_into_id if actor is None else policy.visible_merge_target(actor, ticket)
    where = f" (merged into #{target})" if target else ""
    raise Invalid(TicketError.CLOSED, f"Ticket #{ticket.pk} is closed{where}; open a new ticket and mention it.",
                  fields={field: "ticket closed"})


def update_ticket(actor: User | None, ticket: Ticket, *, expected_version: int, source: str = "web",
                  **changes: Any) -> Ticket:
    """Change status, severity, assignee, queue, category or subject; a stale version gets 409."""
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise Invalid(TicketError.NOTHING_TO_CHANGE, "Nothing to change.")
    if actor is not None and not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    if actor is not None and not policy.can_change_ticket_fields(actor, ticket, set(changes),
                                                                 status=changes.get("status")):
        raise Forbidden("You may not change these fields." if set(changes) - {"status"} else
                        "You may solve or reopen your ticket; other statuses are set by support staff.",
                        code="ticket.change_forbidden")
    # A client's change to a closed ticket (reopening it included) is refused like its reply; staff keep
    # correcting severity, queue, assignee or subject, but no status follows closed (TRANSITIONS).
    client = actor is not None and not policy.is_staff_member(actor)
    refuse_closed_for_client(actor, ticket, not client, field="status")
    values = _validated_changes(ticket, changes)
    with transaction.atomic():
        now = timezone.now()
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        refuse_closed_for_client(actor, locked, not client, field="status")
        if locked.version != expected_version:
            raise Conflict(TicketError.STALE_VERSION,
                           f"Ticket #{ticket.pk} changed since you loaded it (version {expected_version}, now "
                           f"{locked.version}). Reload and apply your change again.",
                           details={"current_version": locked.version})
        if "status" in values:  # again from the locked row: the version may be one loaded after our own read
            _check_transition(locked, values["status"])
        before: dict[str, Any] = {name: _plain(getattr(locked, name)) for name in values}
        # History shows people and categories by name, as they were named then (an id means nothing to a reader).
        labels_before = {name: _label(getattr(locked, name)) for name in values if name in _NAMED_FIELDS}
        for name, value in values.items():
            setattr(locked, name, value)
        _apply_status_side_effects(locked, before.get("status"), now)
        if "queue" in values:
            locked.queue_rank = QUEUE_RANK[Queue(values["queue"])]
        locked.version = F("version") + 1
        locked.updated_at = now
        locked.save()
        locked.refresh_from_db()
        for name, value in values.items():
            if before[name] != _plain(value):
                named = ({"old_label": labels_before[name], "new_label": _label(value)} if name in _NAMED_FIELDS
                         else {})
                record_event(locked, actor, f"ticket.{name}_changed", source, old=before[name], new=_plain(value),
                             **named)
        if "status" in values and before["status"] != values["status"]:
            sla.on_status_changed(locked, before["status"], values["status"])
        if "subject" in values and before["subject"] != values["subject"]:
            search.index_subject(locked.pk, values["subject"])
        if "severity" in values and before["severity"] != values["severity"]:
            sla.on_severity_changed(locked, before["severity"], values["severity"], actor)
        if "assignee" in values and values["assignee"] is not None and before["assignee"] != values["assignee"].pk:
            _notify_assignee(locked)
    return locked


def check_status(value: str) -> str:
    """A ticket status by its value; 422 naming the ones there are otherwise (changes and list filters)."""
    if value not in Status.values:
        raise Invalid(TicketError.BAD_STATUS, f"Unknown status {value!r}; use one of {', '.join(Status.values)}.",
                      fields={"status": "unknown"})
    return value


def check_queue(value: str) -> str:
    """A queue by its value; 422 naming the ones there are otherwise (changes and list filters)."""
    if value not in Queue.values:
        raise Invalid(TicketError.BAD_QUEUE, f"Unknown queue {value!r}; use one of {', '.join(Queue.values)}.",
                      fields={"queue": "unknown"})
    return value


def _validated_changes(ticket: Ticket, changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "status":
            _check_transition(ticket, check_status(value))
            values[name] = value
        elif name == "severity":
            values[name] = _severity(value)
        elif name == "assignee":
            values[name] = _assignee(value)
        elif name == "queue":
            values[name] = check_queue(value)
        elif name == "category":
            values[name] = value
        elif name == "subject":
            values[name] = _clean_subject(value)
        else:
            raise Invalid("ticket.unknown_field", f"Cannot change {name!r}.", fields={name: "not changeable"})
    return values


def _check_transition(ticket: Ticket, status: str) -> None:
    """422 `ticket.bad_transition` unless `status` may follow the ticket's (TRANSITIONS); staying is no change."""
    if status != ticket.status and status not in TRANSITIONS[ticket.status]:
        raise Invalid(TicketError.BAD_TRANSITION, f"A {ticket.get_status_display().lower()} ticket cannot "
                      f"become {Status(status).label.lower()}.", fields={"status": "not allowed now"})


def _apply_status_side_effects(ticket: Ticket, old: str | None, now: datetime) -> None:
    ticket.is_open = ticket.status in OPEN_STATUSES
    if ticket.status == Status.SOLVED and old != Status.SOLVED:
        ticket.solved_at = now


def _after_staff_message(ticket: Ticket, actor: User | None, message: Message, source: str) -> None:
    if ticket.status == Status.NEW:
        _set_status(ticket, actor, Status.OPEN, source)
    sla.on_staff_response(ticket, message)
    if message.kind == MessageKind.PUBLIC:
        enqueue_email(topic="ticket.reply", to=ticket.requester.email, ticket=ticket,
                      subject=f"[#{ticket.pk}] {ticket.subject}",
                      body=f"{message.body}\n\n-- \nReply to this email or visit {settings.SITE_URL}/portal/tickets/{ticket.pk}/",
                      headers={"X-Supportdesk-Ticket": str(ticket.pk)})


def _after_client_message(ticket: Ticket, actor: User | None, message: Message, source: str) -> None:
    if ticket.status in (Status.WAITING, Status.SOLVED):
        _set_status(ticket, actor, Status.OPEN, source)
    sla.on_client_message(ticket, message)
    if ticket.assignee is not None:
        enqueue_email(topic="ticket.client_reply", to=ticket.assignee.email, ticket=ticket,
                      subject=f"[#{ticket.pk}] Client replied: {ticket.subject}",
                      body=f"{message.body}\n\n{settings.SITE_URL}/console/tickets/{ticket.pk}/")


def _set_status(ticket: Ticket, actor: User | None, status: str, source: str) -> None:
    old = ticket.status
    ticket.status = status
    _apply_status_side_effects(ticket, old, timezone.now())
    record_event(ticket, actor, "ticket.status_changed", source, old=old, new=status)
    sla.on_status_changed(ticket, old, status)


def _bump(ticket: Ticket, now: datetime) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(
        version=F("version") + 1, updated_at=now, status=ticket.status, is_open=ticket.status in OPEN_STATUSES,
        solved_at=ticket.solved_at,
    )


def reply_reopens(ticket: Ticket, at: datetime | None = None) -> bool:
    """A client reply to a solved ticket reopens it within the reopen period, else starts a new one."""
    if ticket.status == Status.CLOSED:
        return False
    if ticket.status != Status.SOLVED or ticket.solved_at is None:
        return True
    return (at or timezone.now()) - ticket.solved_at <= timedelta(days=int(settings.SUPPORTDESK["REOPEN_DAYS"]))  # type: ignore[call-overload]


def _acknowledge(rows: InsertBatch, ticket: Ticket, *, opening_source_id: str) -> None:
    """An automatic acknowledgement, added to the new ticket's rows: it never counts as the initial response.

    The ticket is new, so its thread is only the client's opening email, if it came by email."""
    def texts() -> tuple[str, str, dict[str, str]]:  # at insert time, when the ticket has its number
        return (f"[#{ticket.pk}] Received: {ticket.subject}",
                f"We received your request #{ticket.pk} (severity {ticket.severity}).\n"
                f"Follow it at {settings.SITE_URL}/portal/tickets/{ticket.pk}/",
                {"Auto-Submitted": "auto-replied", "X-Supportdesk-Ticket": str(ticket.pk)})

    add_email(rows, topic="ticket.acknowledgement", to=ticket.requester.email, ticket=ticket, texts=texts,
              thread=thread_headers_from([opening_source_id] if opening_source_id else [], []))


def _notify_assignee(ticket: Ticket) -> None:
    if ticket.assignee is None:
        return
    enqueue_email(topic="ticket.assigned", to=ticket.assignee.email, ticket=ticket,
                  subject=f"[#{ticket.pk}] Assigned to you: {ticket.subject}",
                  body=f"{settings.SITE_URL}/console/tickets/{ticket.pk}/")


def _requester_and_client(actor: User | None, requester: User | None, client: Client | None) -> tuple[User, Client]:
    if actor is not None and policy.is_client_person(actor):
        return actor, actor.client  # type: ignore[return-value]
    if actor is not None and not policy.can_open_for_requester(actor):
        raise Forbidden("Only support staff who work tickets open them for a client user.",
                        code="ticket.open_forbidden")
    if requester is None:
        raise Invalid("ticket.requester_required", "Name the client user the ticket is for.",
                      fields={"requester": "required"})
    if requester.client_id is None or (client is not None and requester.client_id != client.pk):
        raise Invalid(TicketError.REQUESTER_NOT_OF_CLIENT, "The requester must be a user of the ticket's client.",
                      fields={"requester": "not a user of this client"})
    return requester, requester.client  # type: ignore[return-value]


def _idempotent_replay(requester: User, key: str, fingerprint: str) -> Ticket | None:
    existing = Ticket.objects.filter(requester=requester, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.idempotency_hash != fingerprint:
        raise Invalid(TicketError.IDEMPOTENCY_KEY_REUSED,
                      "This Idempotency-Key was already used with a different request body.",
                      fields={"Idempotency-Key": "reused with another body"})
    return existing


def _fingerprint(subject: str, body: str, severity: int, channel: str, client_id: int,
                 category_id: int | None = None) -> str:
    parts: list[object] = [subject, body, severity, channel, client_id]
    if category_id is not None:  # appended only when given: fingerprints of requests without one are unchanged
        parts.append(category_id)
    raw = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_subject(subject: str) -> str:
    subject = " ".join(str(subject or "").replace("\x00", "").split())  # NUL: PostgreSQL text cannot hold it
    if not subject:
        raise Invalid(TicketError.SUBJECT_REQUIRED, "A subject is required.", fields={"subject": "required"})
    if len(subject) > MAX_SUBJECT:
        raise Invalid(TicketError.TOO_LONG, f"The subject is longer than {MAX_SUBJECT} characters.",
                      fields={"subject": f"at most {MAX_SUBJECT} characters"})
    return subject


def _clean_body(body: str) -> str:
    body = str(body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise Invalid(TicketError.BODY_REQUIRED, "Please describe the problem.", fields={"body": "required"})
    if len(body) > MAX_BODY:
        raise Invalid(TicketError.TOO_LONG, f"The message is longer than {MAX_BODY} characters.",
                      fields={"body": f"at most {MAX_BODY} characters"})
    return body


def _severity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
        raise Invalid(TicketError.BAD_SEVERITY, "Severity must be 1, 2 or 3.", fields={"severity": "1, 2 or 3"})
    return value


def _assignee(value: object) -> User | None:
    if value in ("", 0):
        return None
    user = value if isinstance(value, User) else User.objects.filter(pk=int(value)).first()  # type: ignore[call-overload]
    if user is None or not policy.has_role(user, *policy.STAFF_WORKERS):
        raise Invalid(TicketError.BAD_ASSIGNEE, "The assignee must be a support staff member.",
                      fields={"assignee": "not a staff member"})
    return user


def _plain(value: object) -> object:
    return getattr(value, "pk", value)


_NAMED_FIELDS = ("assignee", "category")


def _label(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "display_name", None) or getattr(value, "name", None) or value)


def staff_workers() -> Iterable[User]:
    return User.objects.filter(role_grants__role__in=policy.STAFF_WORKERS).distinct().order_by("email")
