"""Reads of the phone line, through the policy (visible_calls): an invisible call answers like a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from supportdesk.errors import NotFound
from supportdesk.policy.telephony import visible_calls

from .models import Call, CallEvent, CallState, Direction, Provider


def call_for(user: Any, call_id: int) -> Call:
    call = visible_calls(user).filter(pk=call_id).first()
    if call is None:
        raise NotFound("call")
    return call


def unmatched_calls(user: Any) -> QuerySet[Call]:
    """Inbound calls from the phone line that no ticket took (unknown numbers, or a client with nobody to be
    the requester), newest first: what staff still have to claim. Calls logged by hand always had a ticket."""
    return (visible_calls(user).filter(direction=Direction.INBOUND, ticket__isnull=True)
            .exclude(provider=Provider.MANUAL).select_related("client").order_by("-created_at", "-id"))


def with_voicemails(calls: QuerySet[Call]) -> QuerySet[Call]:
    """Each call's voicemail events as `voicemails`, in one query for a page (their payload holds the transcript)."""
    return calls.prefetch_related(Prefetch("events", queryset=CallEvent.objects.filter(kind=CallState.VOICEMAIL),
                                           to_attr="voicemails"))


def transcript_of(call: Call) -> str:
    """The transcript the phone system sent with the voicemail (`transcript`), if any; from `with_voicemails`."""
    for event in getattr(call, "voicemails", []):
        text = event.payload.get("transcript") if isinstance(event.payload, dict) else None
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""
