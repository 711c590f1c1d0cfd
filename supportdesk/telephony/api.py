"""REST endpoints of the phone line (mounted at /api/v1/phone): calls for staff, logging calls by hand,
claiming a call no ticket took."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Header, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.accounts.queries import person_with_client
from supportdesk.idempotency_keys import retry_responses
from supportdesk.pagination import PageNumberPagination
from supportdesk.policy.telephony import visible_calls
from supportdesk.schema_bounds import declared_range
from supportdesk.tickets import queries as ticket_queries
from supportdesk.tickets.schemas import SEVERITY_HELP

from . import actions, queries

router = Router()


class CallOut(Schema):
    id: int
    provider: str
    call_id: str
    direction: str
    state: str
    from_number: str
    to_number: str
    client_id: int | None
    ticket_id: int | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    recording_url: str
    summary: str


class CallLogIn(Schema):
    ticket_id: StrictInt  # strict: JSON true is refused (422), not read as ticket 1
    direction: str = "outbound"
    outcome: str = "connected"
    number: str = ""
    duration_minutes: StrictInt | None = Field(None, description=f"0 to {actions.MAX_LOGGED_CALL_MINUTES} (else 422 "
                                                           "`phone.bad_payload`)",
                                         json_schema_extra=declared_range(0, actions.MAX_LOGGED_CALL_MINUTES))
    summary: str = ""


class ClaimIn(Schema):
    requester_id: int = Field(..., description="The client person who called: the ticket's requester")
    severity: int = Field(3, ge=1, le=3, description=SEVERITY_HELP)
    remember_number: bool = Field(False, description="Add the calling number to the requester's client, so its "
                                                     "next calls open tickets by themselves")


class ClaimedOut(Schema):
    ticket_id: int
    call: CallOut


@router.get("/calls", response=list[CallOut], summary="Calls (staff); filter by ticket_id or client_id",
            description="unmatched=true: inbound calls no ticket took (unknown numbers), newest first.")
@paginate(PageNumberPagination, page_size=25)
def list_calls(request: HttpRequest, ticket_id: int | None = None, client_id: int | None = None,
               unmatched: bool = False):
    user = policy.signed_in(request)
    qs = queries.unmatched_calls(user) if unmatched else visible_calls(user)
    if ticket_id:
        qs = qs.filter(ticket_id=ticket_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("-created_at", "-id")


@router.post("/calls", response={201: CallOut, 200: CallOut}, summary="Log a call by hand on a ticket (staff)",
             description="outcome: connected | voicemail_left | no_answer. A call that reached the client counts as "
                         "a staff response (the initial response when first); no_answer is kept as an internal note. "
                         "Honours an `Idempotency-Key` header (1 to 100 characters, per person; else 422 "
                         "`phone.bad_idempotency_key`): the same key with the same body returns the first call (200, "
                         "also once the ticket was closed since) and adds nothing to the ticket; the same key with "
                         "another body is refused (422 `phone.idempotency_key_reused`) and writes nothing. Without "
                         "the header every call logs a new call.",
             openapi_extra=retry_responses("Logged, and its message added to the ticket",
                                           "the first call; nothing was written"))
def log_call(request: HttpRequest, payload: CallLogIn,
             idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                  description="1 to 100 characters, scoped to the person sending it: "
                                                              "a retry with it logs the call once")):
    user = policy.signed_in(request)
    ticket = ticket_queries.ticket_for(user, payload.ticket_id)
    logged = actions.record_call(user, ticket, direction=payload.direction, outcome=payload.outcome,
                                 number=payload.number, duration_minutes=payload.duration_minutes,
                                 summary=payload.summary, source="api", idempotency_key=idempotency_key)
    return Status(201 if logged.created else 200, actions.describe_call(logged.record))


@router.post("/calls/{call_id}/claim", response={201: ClaimedOut},
             summary="Open a ticket from a call no ticket took (staff)",
             description="call_id is the call's `id` in the list. The requester must be an active client person; "
                         "409 phone.call_has_ticket when the call already has a ticket (details.ticket_id), "
                         "409 client.phone_taken when remember_number names another client's number.")
def claim_call(request: HttpRequest, call_id: int, payload: ClaimIn):
    user = policy.signed_in(request)
    call = queries.call_for(user, call_id)
    ticket = actions.claim_call(user, call, requester=person_with_client(payload.requester_id), severity=payload.severity,
                                remember_number=payload.remember_number)
    call.refresh_from_db()
    return Status(201, {"ticket_id": ticket.pk, "call": actions.describe_call(call)})
