"""Twilio's voice and recording callbacks as Twilio sends them (form-encoded, X-Twilio-Signature).

Point a Twilio number's "A call comes in" webhook at /phone/twilio/voice/ and its status callback
at the same URL; recordings report to /phone/twilio/recording/. The auth token comes from the
environment (SUPPORTDESK_TWILIO_AUTH_TOKEN); without it every callback is refused.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from supportdesk.errors import DomainError
from supportdesk.oncall.hours import in_business_hours
from supportdesk.oncall.rota import who_is_on_call

from . import actions
from .models import CallState, Direction, Provider

STATUS_TO_STATE = {
    "queued": CallState.RINGING, "ringing": CallState.RINGING, "in-progress": CallState.ANSWERED,
    "completed": CallState.ENDED, "busy": CallState.ENDED, "failed": CallState.ENDED,
    "no-answer": CallState.ENDED, "canceled": CallState.ENDED,
}


def _twiml(response: VoiceResponse, status: int = 200) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml", status=status)


def _refused(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, content_type="text/plain", status=status)


def _valid(request: HttpRequest) -> bool | None:
    token = os.environ.get("SUPPORTDESK_TWILIO_AUTH_TOKEN", "")
    if not token:
        return None
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(token)
    params = request.POST.dict()
    urls = {request.build_absolute_uri(), settings.SITE_URL.rstrip("/") + request.get_full_path()}
    return any(validator.validate(url, params, signature) for url in urls)


def twilio_callback(view):  # noqa: ANN001, ANN201
    @csrf_exempt
    @require_POST
    def wrapped(request: HttpRequest) -> HttpResponse:
        valid = _valid(request)
        if valid is None:
            return _refused(503, "Twilio is not configured: set SUPPORTDESK_TWILIO_AUTH_TOKEN.")
        if not valid:
            return _refused(403, "X-Twilio-Signature does not match this request.")
        try:
            return view(request)
        except DomainError as exc:
            return _refused(exc.status, exc.message)

    wrapped.__name__ = view.__name__
    return wrapped


def _when(request: HttpRequest) -> datetime:
    stamp = request.POST.get("Timestamp")
    if stamp:
        try:
            when = parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            return timezone.now()
        # RFC 2822 "-0000" parses as a naive time; it means UTC (mixing it with aware times raised TypeError).
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return timezone.now()


def _seconds(value: str) -> int | None:
    """Twilio's CallDuration / RecordingDuration: ASCII digits ("²".isdigit() is true but int() refuses it)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _voicemail(response: VoiceResponse, prompt: str) -> VoiceResponse:
    response.say(prompt)
    response.record(action="/phone/twilio/recording/", method="POST", max_length=300, play_beep=True,
                    recording_status_callback="/phone/twilio/recording/", recording_status_callback_event="completed")
    response.say("We did not receive a recording. Goodbye.")
    response.hangup()
    return response


def greeting_for(from_number: str, at: datetime) -> VoiceResponse:
    """What the caller hears: live routing for entitled clients, otherwise a clear message and voicemail."""
    client, _ = actions.caller_of(from_number)
    response = VoiceResponse()
    access = actions.phone_access(client, at)
    if client is None or not access.live:
        return _voicemail(response, access.message)
    in_hours = in_business_hours(at)
    person = None if in_hours else who_is_on_call(at)
    forward = (person.phone if person is not None else "") or (os.environ.get("SUPPORTDESK_PHONE_FORWARD_TO", "") if in_hours else "")
    response.say(f"Thank you for calling support, {client.name}. Connecting you to "
                 + ("an engineer." if in_hours else "the engineer on call."))
    if forward:
        response.dial(forward, timeout=25, answer_on_bridge=True)
    return _voicemail(response, "Nobody could take your call right now. Please leave a message after the tone; it opens "
                      "a ticket and we will call you back.")


@twilio_callback
def voice(request: HttpRequest) -> HttpResponse:
    data = request.POST
    status = data.get("CallStatus", "ringing")
    state = STATUS_TO_STATE.get(status, CallState.RINGING)
    call_sid = data.get("CallSid", "")
    if not call_sid:
        return _refused(400, "CallSid is required.")
    duration = data.get("CallDuration", "")
    actions.record_call_event(Provider.TWILIO, actions.CallEventIn(
        event_id=f"twilio:{call_sid}:{status}", call_id=call_sid, kind=state, occurred_at=_when(request),
        from_number=data.get("From", ""), to_number=data.get("To", ""),
        direction=Direction.OUTBOUND if data.get("Direction", "inbound").startswith("outbound") else Direction.INBOUND,
        duration_seconds=_seconds(duration), payload=data.dict(),
    ))
    if state == CallState.ENDED:
        return _twiml(VoiceResponse())
    return _twiml(greeting_for(data.get("From", ""), timezone.now()))


@twilio_callback
def recording(request: HttpRequest) -> HttpResponse:
    data = request.POST
    call_sid, recording_sid = data.get("CallSid", ""), data.get("RecordingSid", "")
    status = data.get("RecordingStatus", "completed")
    if call_sid and recording_sid and data.get("RecordingUrl") and status == "completed":
        duration = data.get("RecordingDuration", "")
        actions.record_call_event(Provider.TWILIO, actions.CallEventIn(
            event_id=f"twilio:{recording_sid}:voicemail", call_id=call_sid, kind=CallState.VOICEMAIL,
            occurred_at=_when(request), from_number=data.get("From", ""), to_number=data.get("To", ""),
            duration_seconds=_seconds(duration),
            recording_url=data.get("RecordingUrl", ""), payload=data.dict(),
        ))
    response = VoiceResponse()
    response.say("Thank you. Your message was recorded and a ticket is open. Goodbye.")
    response.hangup()
    return _twiml(response)
