"""REST endpoints of the phone line (mounted at /api/v1/phone): calls for staff, logging calls by hand."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from supportdesk import policy
from supportdesk.policy.telephony import visible_calls
from supportdesk.tickets import queries as ticket_queries

from . import actions

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
    ticket_id: int
    direction: str = "outbound"
    outcome: str = "connected"
    number: str = ""
    duration_minutes: int | None = None
    summary: str = ""


@router.get("/calls", response=list[CallOut], summary="Calls (staff); filter by ticket_id or client_id")
@paginate(PageNumberPagination, page_size=25)
def list_calls(request: HttpRequest, ticket_id: int | None = None, client_id: int | None = None):
    qs = visible_calls(policy.signed_in(request))
    if ticket_id:
        qs = qs.filter(ticket_id=ticket_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("-created_at", "-id")


@router.post("/calls", response={201: CallOut}, summary="Log a call by hand on a ticket (staff)",
             description="outcome: connected | voicemail_left | no_answer. A call that reached the client counts as "
                         "a staff response (the initial response when first); no_answer is kept as an internal note.")
def log_call(request: HttpRequest, payload: CallLogIn):
    user = policy.signed_in(request)
    ticket = ticket_queries.ticket_for(user, payload.ticket_id)
    call = actions.log_call(user, ticket, direction=payload.direction, outcome=payload.outcome, number=payload.number,
                            duration_minutes=payload.duration_minutes, summary=payload.summary, source="api")
    return Status(201, actions.describe_call(call))
