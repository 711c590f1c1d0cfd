"""Calls: provider events (each processed once, in any order) and calls logged by hand.

A call from a number known for a client (ClientPhone, or a client person's phone) opens a ticket on
its first event, or updates the ticket the caller named; a voicemail adds the recording link to it.
A call no ticket took (an unknown number) waits until staff claim it for a client person (`claim_call`).
Recording links are stored, never fetched.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.accounts.actions import add_client_phone

# One form for client phones and callers ("+" and the digits), so a typed number matches a call.
from supportdesk.accounts.actions import normalise_phone as normalise_number
from supportdesk.accounts.models import Client, ClientPhone, ClientRole, User
from supportdesk.errors import Conflict, Invalid, NotFound
from supportdesk.idempotency_keys import (
    Written,
    check_key,
    earlier_by_key,
    request_digest,
    write_once,
)
from supportdesk.policy.telephony import can_claim_calls, can_log_call
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.errors import TicketError
from supportdesk.tickets.merges import follow_merges
from supportdesk.tickets.models import Message, MessageKind, Ticket

from .errors import PhoneError
from .models import STATE_RANK, Call, CallEvent, CallState, Direction, Provider


@dataclass(frozen=True)
class CallEventIn:
    event_id: str
    call_id: str
    kind: str
    occurred_at: datetime
    from_number: str = ""
    to_number: str = ""
    direction: str = Direction.INBOUND
    duration_seconds: int | None = None
    recording_url: str = ""
    transcript: str = ""
    severity: int = 3
    ticket_id: int | None = None
    payload: dict | None = None


@dataclass(frozen=True)
class Processed:
    call: Call
    duplicate: bool


MAX_CALL_SECONDS = 24 * 60 * 60
MAX_LOGGED_CALL_MINUTES = 24 * 60  # a call logged by hand (API, web form)
MAX_NUMBER_DIGITS = 31  # what Call.from_number / to_number hold ("+" and the digits); E.164 itself has at most 15


def checked_number(number: str, field: str = "number") -> str:
    """The number normalised; refused (422) when it is longer than a stored number can be."""
    normalised = normalise_number(number)
    if len(normalised) > MAX_NUMBER_DIGITS + 1:
        raise Invalid(PhoneError.BAD_NUMBER, f"{field} has more than {MAX_NUMBER_DIGITS} digits; send an E.164 number "
                      "such as +14165550100.", fields={field: f"at most {MAX_NUMBER_DIGITS} digits"})
    return normalised


def caller_of(number: str) -> tuple[Client | None, User | None]:
    """The client (and person, when the number is a person's) a calling number belongs to."""
    number = normalise_number(number)
    if not number:
        return None, None
    person = User.objects.filter(phone=number, client__isnull=False, is_active=True).select_related("client").first()
    if person is not None:
        return person.client, person
    phone = ClientPhone.objects.filter(number=number).select_related("client").first()
    return (phone.client, None) if phone else (None, None)


@dataclass(frozen=True)
class PhoneAccess:
    """What the phone line offers a caller now: the phone is an entitlement of 24/7 Support (by default; per
    offering, `features.channels`), answered live out of business hours only with 24/7 coverage."""

    entitled: bool  # the client's plan includes the phone line
    live: bool  # answered live now
    message: str  # when not answered live: why, and how to reach support instead ("" when live)


def phone_access(client: Client | None, at: datetime) -> PhoneAccess:
    from django.conf import settings

    from supportdesk.contracts.entitlements import entitlements_for
    from supportdesk.oncall.hours import in_business_hours

    portal, email = f"{settings.SITE_URL}/portal/", settings.DEFAULT_FROM_EMAIL
    if client is None:
        return PhoneAccess(False, False, "Thank you for calling support. We do not recognise this number. Please leave "
                                         "your name, company and ticket number after the tone.")
    features = entitlements_for(client, at).features
    if "phone" not in features.channels:
        return PhoneAccess(False, False, f"Thank you for calling, {client.name}. Your support plan does not include the "
                                         f"phone line. Please open a ticket in the portal at {portal} or email {email}. You "
                                         "may also leave a message after the tone and we will open a ticket for you.")
    if not in_business_hours(at) and not features.coverage_24x7:
        return PhoneAccess(True, False, f"Thank you for calling, {client.name}. We are outside business hours. Please "
                                        "leave a message after the tone; it opens a ticket and we will call you back.")
    return PhoneAccess(True, True, "")


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally, also in the legacy IPv4 forms browsers still read
    (2130706433, 0x7f000001, 0177.0.0.1, 127.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}", host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def safe_recording_url(url: str) -> str:
    """Keep http(s) links whose host is not a private, loopback or link-local address literal.

    The link is only stored and shown to staff; supportdesk never fetches it.
    """
    url = str(url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        host = None
    if not host or parts.scheme not in ("http", "https") or len(url) > 500:
        raise Invalid(PhoneError.BAD_PAYLOAD, "recording_url must be an http(s) link of at most 500 characters.",
                      fields={"recording_url": "http(s) link"})
    if host == "localhost" or host.endswith(".localhost"):
        raise Invalid(PhoneError.BAD_PAYLOAD, "recording_url may not point at this machine.", fields={"recording_url": "private"})
    address = _ip_literal(host)
    if address is None:
        return url
    if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved or address.is_unspecified:
        raise Invalid(PhoneError.BAD_PAYLOAD, "recording_url may not point at a private, loopback or link-local address.",
                      fields={"recording_url": "private"})
    return url


def _requester_for(client: Client, person: User | None) -> User | None:
    if person is not None:
        return person
    people = client.people.filter(is_active=True)  # type: ignore[attr-defined]
    return people.filter(client_role=ClientRole.ADMIN).order_by("id").first() or people.order_by("id").first()


def record_call_event(provider: str, event: CallEventIn, *, signature: str | None = None) -> Processed:
    """Apply one provider event once. `signature` (a verified webhook delivery) is remembered with it."""
    if event.kind not in STATE_RANK:
        raise Invalid(PhoneError.BAD_PAYLOAD, f"Unknown event type {event.kind!r}; use ringing, answered, ended or voicemail.",
                      fields={"type": "unknown"})
    for field, value, limit in (("event_id", event.event_id, 150), ("call_id", event.call_id, 100)):
        if not value or len(value) > limit:
            raise Invalid(PhoneError.BAD_PAYLOAD, f"{field} must be 1 to {limit} characters.", fields={field: f"1 to {limit} characters"})
    checked_number(event.from_number, "from")
    checked_number(event.to_number, "to")
    if event.duration_seconds is not None and not 0 <= event.duration_seconds <= MAX_CALL_SECONDS:
        raise Invalid(PhoneError.BAD_PAYLOAD, f"duration_seconds must be 0 to {MAX_CALL_SECONDS} (24 hours).",
                      fields={"duration_seconds": f"0 to {MAX_CALL_SECONDS}"})
    if not EARLIEST <= event.occurred_at <= LATEST:
        raise Invalid(PhoneError.BAD_PAYLOAD, "occurred_at must be between 2000 and 2100.",
                      fields={"occurred_at": "out of range"})
    texts: tuple[tuple[str, object], ...] = (
        ("event_id", event.event_id), ("call_id", event.call_id), ("from", event.from_number), ("to", event.to_number),
        ("transcript", event.transcript), ("payload", event.payload))
    for name, text in texts:
        if _has_nul(text):  # PostgreSQL stores no NUL in text or JSON: refused for every database alike
            raise Invalid(PhoneError.BAD_PAYLOAD, f"{name} may not contain NUL characters.", fields={name: "NUL character"})
    recording_url = safe_recording_url(event.recording_url)
    with transaction.atomic():
        if signature is not None:
            from .signing import remember

            remember(signature)
        existing = CallEvent.objects.filter(event_id=event.event_id).select_related("call").first()
        if existing is not None:
            return Processed(existing.call, duplicate=True)
        call = _locked_call(provider, event)
        _apply(call, event, recording_url)
        CallEvent.objects.create(event_id=event.event_id, call=call, kind=event.kind, occurred_at=event.occurred_at,
                                 received_at=timezone.now(), payload=event.payload or {})
        _ticket_side(call, event)
        call.save()
    return Processed(call, duplicate=False)


def _locked_call(provider: str, event: CallEventIn) -> Call:
    call = Call.objects.select_for_update().filter(provider=provider, call_id=event.call_id).first()
    if call is not None:
        return call
    client, person = caller_of(event.from_number if event.direction == Direction.INBOUND else event.to_number)
    try:
        with transaction.atomic():
            return Call.objects.create(provider=provider, call_id=event.call_id, direction=event.direction,
                                       from_number=normalise_number(event.from_number),
                                       to_number=normalise_number(event.to_number), client=client, person=person,
                                       state=event.kind, created_at=timezone.now())
    except IntegrityError:
        return Call.objects.select_for_update().get(provider=provider, call_id=event.call_id)


def _apply(call: Call, event: CallEventIn, recording_url: str) -> None:
    at = event.occurred_at
    if STATE_RANK[CallState(event.kind)] > STATE_RANK[CallState(call.state)]:
        call.state = event.kind
    if event.kind == CallState.RINGING or call.started_at is None or at < call.started_at:
        call.started_at = min(at, call.started_at or at)
    if event.kind == CallState.ANSWERED:
        call.answered_at = at
    if event.kind == CallState.ENDED:
        call.ended_at = at
    if event.duration_seconds is not None:
        call.duration_seconds = event.duration_seconds
    if recording_url:
        call.recording_url = recording_url


def _ticket_side(call: Call, event: CallEventIn) -> None:
    if call.client is None:
        return
    if call.direction == Direction.OUTBOUND:
        _outbound_ticket_side(call, event)
        return
    if call.ticket is not None and call.ticket.merged_into_id is not None:
        call.ticket = follow_merges(call.ticket)  # merged since the call began: its events go where work continues
    if call.ticket is None:
        named = Ticket.objects.filter(pk=event.ticket_id, client=call.client).first() if event.ticket_id else None
        named = follow_merges(named) if named is not None else None
        if named is not None and tickets.reply_reopens(named):
            call.ticket = named
            tickets.add_message(None, named, body=f"Phone call from {call.from_number or 'an unknown number'} about this ticket.",
                                channel="phone", source="phone", source_id=f"call:{call.provider}:{call.call_id}",
                                from_staff=False)
        else:
            requester = _requester_for(call.client, call.person)
            if requester is None:
                return
            call.ticket = _open_call_ticket(None, call, event, requester=requester,
                                            severity=event.severity if event.severity in (1, 2, 3) else 3)
    tickets.record_event(call.ticket, None, f"call.{event.kind}", "phone", call=call.pk, event_id=event.event_id)
    if event.kind == CallState.VOICEMAIL:
        if not tickets.reply_reopens(call.ticket):
            call.ticket = _follow_up_ticket(call, event)
        _add_voicemail(call.ticket, call, event)


REACHED_CLIENT = (CallState.ANSWERED, CallState.VOICEMAIL)


def _outbound_ticket_side(call: Call, event: CallEventIn) -> None:
    """A call support placed to the client through the phone system. The client asked for nothing, so it opens no
    ticket (nor a clock); on the ticket it names it is recorded, and once it reached the client (answered, or a
    voicemail left) it is a staff call with the client: a response, the initial response when it comes first, as
    a call logged by hand is (SPEC R5)."""
    if call.ticket is None:
        named = Ticket.objects.filter(pk=event.ticket_id, client=call.client).first() if event.ticket_id else None
        if named is None:
            return
        call.ticket = named
    call.ticket = follow_merges(call.ticket)
    tickets.record_event(call.ticket, None, f"call.{event.kind}", "phone", call=call.pk, event_id=event.event_id)
    source_id = f"call:{call.provider}:{call.call_id}"
    if event.kind in REACHED_CLIENT and not Message.objects.filter(channel="phone", source_id=source_id).exists():
        outcome = "answered by the client" if event.kind == CallState.ANSWERED else "voicemail left"
        tickets.add_message(None, call.ticket, body=f"Outbound call to {call.to_number or 'the client'}: {outcome}.",
                            kind=MessageKind.CALL, channel="phone", source="phone", source_id=source_id,
                            from_staff=True)


def _follow_up_ticket(call: Call, event: CallEventIn) -> Ticket:
    """A voicemail arriving after its call's ticket was closed: a linked follow-up ticket takes it, as a late
    email reply does, so the message is kept and worked (the webhook would otherwise refuse it)."""
    previous = call.ticket
    assert previous is not None
    follow_up = tickets.open_ticket(
        None, requester=previous.requester, client=call.client, subject=f"Voicemail from {call.from_number or 'unknown'}",
        body=_describe(call, event), severity=previous.severity, channel="phone", source="phone",
        source_id=f"call:{call.provider}:{call.call_id}:follow-up", linked_from=previous).ticket
    return follow_up


def _open_call_ticket(actor: User | None, call: Call, event: CallEventIn, *, requester: User, severity: int,
                      at: datetime | None = None) -> Ticket:
    """The call's ticket (the opening message's source_id names the call, so the call opens at most one).
    `at`: when the client called, for a ticket opened later (a claimed call): its clocks run from then."""
    return tickets.open_ticket(
        actor, requester=requester, client=call.client, subject=f"Phone call from {call.from_number or 'unknown'}",
        body=_describe(call, event), severity=severity, channel="phone", source="phone",
        source_id=f"call:{call.provider}:{call.call_id}", at=at,
    ).ticket


def _add_voicemail(ticket: Ticket, call: Call, event: CallEventIn) -> None:
    """The voicemail as the client's message on the call's ticket (its source_id: added once)."""
    tickets.add_message(None, ticket, body=_voicemail_text(call, event), channel="phone", source="phone",
                        source_id=f"call:{call.provider}:{call.call_id}:voicemail", from_staff=False)


def _describe(call: Call, event: CallEventIn) -> str:
    who = call.person.display_name if call.person else call.client.name if call.client else "unknown caller"
    return f"{who} called the support line from {call.from_number or 'an unknown number'} ({event.kind} at {event.occurred_at.isoformat()})."


def _voicemail_text(call: Call, event: CallEventIn) -> str:
    lines = [f"Voicemail from {call.from_number or 'an unknown number'}"
             + (f" ({event.duration_seconds} s)" if event.duration_seconds else "") + "."]
    if call.recording_url:
        lines.append(f"Recording: {call.recording_url}")
    if event.transcript:
        lines.append(f"Transcript: {event.transcript.strip()[:5000]}")
    return "\n".join(lines)


def claim_call(actor: User, call: Call, *, requester: User | None, severity: int = 3,
               remember_number: bool = False) -> Ticket:
    """Staff turn an inbound call no ticket took (an unknown number, or a client with nobody to be the
    requester) into a ticket for the client person who called, as if the call had opened it by itself.

    With `remember_number` the calling number becomes the client's, so its next calls open tickets alone."""
    person, client = _checked_claim(actor, call, requester, severity, remember_number)
    with transaction.atomic():
        # Locked as record_call_event locks it: a provider event of this call waits for the claim and then
        # lands on its ticket, and a second claim finds the call taken.
        locked = Call.objects.select_for_update().get(pk=call.pk)
        _refuse_unclaimable(locked)
        if remember_number:
            add_client_phone(actor, client, locked.from_number, label=f"From call #{locked.pk}")
        locked.client, locked.person = client, person
        events = list(locked.events.all())  # oldest first
        locked.ticket = _open_call_ticket(actor, locked, _stored_event(locked, events[0] if events else None),
                                          requester=person, severity=severity,
                                          at=locked.started_at or locked.created_at)
        voicemail = next((e for e in events if e.kind == CallState.VOICEMAIL), None)
        if voicemail is not None:
            _add_voicemail(locked.ticket, locked, _stored_event(locked, voicemail))
        tickets.record_event(locked.ticket, actor, "call.claimed", "phone", call=locked.pk, by=actor.email,
                             requester=person.email, remembered_number=locked.from_number if remember_number else "")
        locked.save(update_fields=["client", "person", "ticket"])
    return locked.ticket


def _checked_claim(actor: User, call: Call, requester: User | None, severity: int,
                   remember_number: bool) -> tuple[User, Client]:
    """The requester and their client, once every refusal that needs no lock has been made."""
    if not can_claim_calls(actor):
        raise NotFound("call")
    _refuse_unclaimable(call)
    if requester is None or requester.client is None or not requester.is_active:
        raise Invalid(PhoneError.BAD_REQUESTER, "Choose an active client person to open the ticket for.",
                      fields={"requester": "not an active client person"})
    if call.client_id is not None and requester.client_id != call.client_id:
        # The number is the client's (it only had nobody to be the requester): its call stays the client's.
        raise Invalid(PhoneError.REQUESTER_NOT_OF_CLIENT, f"This call came from a number of {call.client}; "
                      "choose one of its people.", fields={"requester": "not a person of the calling client"})
    if isinstance(severity, bool) or severity not in (1, 2, 3):
        raise Invalid(TicketError.BAD_SEVERITY, "Severity must be 1, 2 or 3.", fields={"severity": "1, 2 or 3"})
    if remember_number and not call.from_number:
        raise Invalid(PhoneError.BAD_NUMBER, "This call has no calling number to remember.",
                      fields={"remember_number": "no calling number"})
    return requester, requester.client


def _refuse_unclaimable(call: Call) -> None:
    if call.ticket_id is not None:
        raise Conflict(PhoneError.CALL_HAS_TICKET, f"This call is already on ticket #{call.ticket_id}.",
                       fields={"call": "has a ticket"}, details={"ticket_id": call.ticket_id})
    if call.provider == Provider.MANUAL or call.direction != Direction.INBOUND:
        raise Conflict(PhoneError.NOT_CLAIMABLE, "Only inbound calls from the phone line can be turned into a ticket.",
                       fields={"call": "outbound or logged by hand"})


def _stored_event(call: Call, row: CallEvent | None) -> CallEventIn:
    """A stored event as it was received, so a claimed call's ticket reads as if the call had opened it."""
    if row is None:  # provider calls exist because of an event; kept total for a call without one
        return CallEventIn(event_id="", call_id=call.call_id, kind=call.state,
                           occurred_at=call.started_at or call.created_at)
    payload = row.payload if isinstance(row.payload, dict) else {}
    transcript = payload.get("transcript")
    return CallEventIn(event_id=row.event_id, call_id=call.call_id, kind=row.kind, occurred_at=row.occurred_at,
                       duration_seconds=_stored_seconds(payload),
                       transcript=transcript if isinstance(transcript, str) else "")


def _stored_seconds(payload: dict) -> int | None:
    """The voicemail's length: the webhook's checked `duration_seconds`, or Twilio's RecordingDuration digits."""
    value = payload.get("duration_seconds", payload.get("RecordingDuration"))
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


OUTCOMES = {"connected": "Spoke with the client", "voicemail_left": "Left a voicemail", "no_answer": "No answer"}


def log_call(actor: User, ticket: Ticket, *, direction: str, outcome: str, summary: str, number: str = "",
             duration_minutes: int | None = None, source: str = "web") -> Call:
    """An agent logs a call by hand. A call that reached the client (spoke or left a voicemail) is a staff
    response (the initial response when it is the first); an unanswered attempt is an internal note."""
    return record_call(actor, ticket, direction=direction, outcome=outcome, summary=summary, number=number,
                       duration_minutes=duration_minutes, source=source).record


def record_call(actor: User, ticket: Ticket, *, direction: str, outcome: str, summary: str, number: str = "",
                duration_minutes: int | None = None, source: str = "web",
                idempotency_key: str | None = None) -> Written[Call]:
    """`log_call`, honouring the agent's `idempotency_key` (an API Idempotency-Key, the log form's submission): the
    same key with the same ticket, direction, outcome, number, duration and summary answers the call it logged
    (created False) and adds nothing to the ticket, also once the ticket was closed since; the same key with
    anything else is 422 `phone.idempotency_key_reused`."""
    if not can_log_call(actor, ticket):
        raise NotFound("ticket")
    check_key(idempotency_key, PhoneError.BAD_IDEMPOTENCY_KEY)
    if direction not in Direction.values:
        raise Invalid(PhoneError.BAD_DIRECTION, "direction must be inbound or outbound.", fields={"direction": "inbound or outbound"})
    if outcome not in OUTCOMES:
        raise Invalid(PhoneError.BAD_OUTCOME, f"outcome must be one of {', '.join(OUTCOMES)}.", fields={"outcome": "unknown"})
    normalised = checked_number(number)
    if number and not normalised:
        raise Invalid(PhoneError.BAD_NUMBER, "The number needs digits (E.164, e.g. +14165550100).", fields={"number": "no digits"})
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_LOGGED_CALL_MINUTES:
        raise Invalid(PhoneError.BAD_PAYLOAD, f"duration_minutes must be 0 to {MAX_LOGGED_CALL_MINUTES}.",
                      fields={"duration_minutes": f"0 to {MAX_LOGGED_CALL_MINUTES}"})
    summary = str(summary or "").replace("\x00", "").strip()  # NUL: PostgreSQL text cannot hold it
    key = idempotency_key
    sent = request_digest("call", ticket.pk, direction, outcome, normalised, duration_minutes, summary)

    earlier = earlier_by_key(Call.objects.filter(logged_by=actor), key, sent,
                             PhoneError.IDEMPOTENCY_KEY_REUSED, "logged call")

    verb = "to" if direction == Direction.OUTBOUND else "from"
    body = (f"{direction.capitalize()} call {verb} {normalised or 'the client'}"
            + (f", {duration_minutes} min" if duration_minutes is not None else "") + f": {OUTCOMES[outcome]}.\n\n{summary}")

    def write() -> Call:
        call_id = uuid.uuid4().hex
        with transaction.atomic():
            now = timezone.now()
            call = Call.objects.create(provider=Provider.MANUAL, call_id=call_id, direction=direction,
                                       from_number="" if direction == Direction.OUTBOUND else normalised,
                                       to_number=normalised if direction == Direction.OUTBOUND else "",
                                       client=ticket.client, state=CallState.ENDED, started_at=now, ended_at=now,
                                       duration_seconds=duration_minutes * 60 if duration_minutes is not None else None,
                                       ticket=ticket, logged_by=actor, summary=summary, created_at=now,
                                       idempotency_key=key, idempotency_hash=sent if key else None)
            kind = MessageKind.INTERNAL if outcome == "no_answer" else MessageKind.CALL
            tickets.add_message(actor, ticket, body=body, kind=kind, channel="phone", source=source,
                                source_id=f"call:manual:{call_id}", from_staff=True)
        return call

    # The ticket's message (and its clock's first response) goes with the call: a retry adds neither again.
    return write_once(key, earlier, write)


def describe_call(call: Call) -> dict[str, Any]:
    return {"id": call.pk, "provider": call.provider, "call_id": call.call_id, "direction": call.direction,
            "state": call.state, "from_number": call.from_number, "to_number": call.to_number,
            "client_id": call.client_id, "ticket_id": call.ticket_id, "started_at": call.started_at,
            "ended_at": call.ended_at, "duration_seconds": call.duration_seconds, "recording_url": call.recording_url,
            "summary": call.summary}
