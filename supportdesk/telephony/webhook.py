"""POST /phone/webhook/: the phone system's signed call events (see docs/phone.md for the contract)."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from supportdesk.errors import DomainError, Invalid

from . import actions, signing
from .errors import PhoneError
from .models import Direction, Provider

MAX_BODY = 64 * 1024


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}, status=exc.status)


def parse_event(body: bytes) -> actions.CallEventIn:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(PhoneError.BAD_PAYLOAD, "The body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise Invalid(PhoneError.BAD_PAYLOAD, "The body must be a JSON object.")
    missing = [k for k in ("event_id", "call_id", "type", "occurred_at") if not data.get(k)]
    if missing:
        raise Invalid(PhoneError.BAD_PAYLOAD, f"Missing field(s): {', '.join(missing)}.", fields={k: "required" for k in missing})
    for key in ("event_id", "call_id"):  # their lengths, like the numbers and the duration: record_call_event
        if not isinstance(data[key], str):
            raise Invalid(PhoneError.BAD_PAYLOAD, f"{key} must be a string.", fields={key: "string"})
    try:
        occurred = datetime.fromisoformat(str(data["occurred_at"]))
    except ValueError:
        raise Invalid(PhoneError.BAD_PAYLOAD, "occurred_at must be an ISO 8601 instant.", fields={"occurred_at": "malformed"}) from None
    if occurred.tzinfo is None:
        raise Invalid(PhoneError.BAD_PAYLOAD, "occurred_at needs a UTC offset (e.g. 2026-03-08T02:00:00Z).",
                      fields={"occurred_at": "needs an offset"})
    direction = data.get("direction", Direction.INBOUND)
    if direction not in Direction.values:
        raise Invalid(PhoneError.BAD_DIRECTION, "direction must be inbound or outbound.", fields={"direction": "unknown"})
    ints = {}
    for key in ("duration_seconds", "severity", "ticket_id"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise Invalid(PhoneError.BAD_PAYLOAD, f"{key} must be a whole number.", fields={key: "whole number"})
        ints[key] = value
    if ints["severity"] is not None and ints["severity"] not in (1, 2, 3):
        raise Invalid(PhoneError.BAD_PAYLOAD, "severity must be 1, 2 or 3.", fields={"severity": "1, 2 or 3"})
    texts = {}
    for key in ("from", "to", "recording_url", "transcript"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise Invalid(PhoneError.BAD_PAYLOAD, f"{key} must be a string.", fields={key: "string"})
        texts[key] = value or ""
    return actions.CallEventIn(
        event_id=data["event_id"], call_id=data["call_id"], kind=str(data["type"]), occurred_at=occurred,
        from_number=texts["from"], to_number=texts["to"], direction=direction,
        duration_seconds=ints["duration_seconds"], recording_url=texts["recording_url"],
        transcript=texts["transcript"], severity=ints["severity"] or 3, ticket_id=ints["ticket_id"],
        payload=data,
    )


@csrf_exempt
@require_POST
def phone_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    if len(body) > MAX_BODY:
        return _error(DomainError(PhoneError.BAD_PAYLOAD, f"The body is larger than {MAX_BODY} bytes.", status=413))
    try:
        signature = signing.verify(request.headers.get("X-Supportdesk-Timestamp"),
                                   request.headers.get("X-Supportdesk-Signature"), body)
        event = parse_event(body)
        try:
            done = actions.record_call_event(Provider.WEBHOOK, event, signature=signature)
        except IntegrityError:
            # A concurrent identical delivery won the race: report it as the replay it is.
            raise DomainError(PhoneError.REPLAYED, "This delivery was already accepted (replay refused).", status=409) from None
    except DomainError as exc:
        return _error(exc)
    call = done.call
    # What the phone system should do with the caller: the phone line is an entitlement (24/7 Support by
    # default); everyone else is told how to reach support instead (the message to play), and may leave a voicemail.
    access = actions.phone_access(call.client, timezone.now())
    return JsonResponse({"status": "duplicate" if done.duplicate else "processed", "call": call.pk, "state": call.state,
                         "client_id": call.client_id, "ticket_id": call.ticket_id, "entitled": access.entitled,
                         "answer_live": access.live, "message": access.message})
