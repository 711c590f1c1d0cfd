"""REST endpoints of mail intake (mounted at /api/v1/intake): the review queue for staff."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import Invalid, NotFound
from supportdesk.pagination import PageNumberPagination
from supportdesk.policy.intake import can_review_mail

from . import actions, queries
from .errors import IntakeError

router = Router()


class InboundOut(Schema):
    id: int
    channel: str
    received_at: datetime
    processed_at: datetime | None
    message_id: str
    sender: str
    subject: str
    size: int
    truncated: bool
    status: str
    outcome: str
    error: str
    ticket_id: int | None


class AssignIn(Schema):
    requester_email: str


def _staff(request: HttpRequest) -> User:
    user = policy.signed_in(request)
    if not can_review_mail(user):
        raise NotFound("message")
    return user


@router.get("/inbound", response=list[InboundOut], summary="Inbound mail (staff): review queue by default",
            description="`show`: review (needs a person: unknown senders, unreadable, too large), pending, all.")
@paginate(PageNumberPagination, page_size=25)
def list_inbound(request: HttpRequest, show: str = "review"):
    user = _staff(request)  # first: anyone else gets 404 whatever they ask, never a hint that the list exists
    if show not in ("review", "pending", "all"):
        raise Invalid("intake.bad_filter", "show must be review, pending or all.", fields={"show": "unknown"})
    return queries.review_queue(user, show)


@router.get("/inbound/{inbound_id}", response=InboundOut, summary="One inbound message (staff)")
def get_inbound(request: HttpRequest, inbound_id: int):
    return queries.inbound_for(_staff(request), inbound_id)


@router.post("/inbound/{inbound_id}/assign", response=InboundOut,
             summary="Open a ticket from a message in review for a client user (staff)")
def assign_inbound(request: HttpRequest, inbound_id: int, payload: AssignIn):
    user = _staff(request)
    requester = User.objects.filter(email__iexact=payload.requester_email.strip(), client__isnull=False,
                                    is_active=True).first()
    if requester is None:
        raise Invalid(IntakeError.BAD_REQUESTER, "No active client user has this email address.",
                      fields={"requester_email": "not an active client user"})
    actions.assign_to_requester(user, inbound_id, requester=requester)
    return queries.inbound_for(user, inbound_id)


@router.post("/inbound/{inbound_id}/dismiss", response=InboundOut, summary="Dismiss a message in review (staff)")
def dismiss_inbound(request: HttpRequest, inbound_id: int):
    user = _staff(request)
    actions.dismiss(user, inbound_id)
    return queries.inbound_for(user, inbound_id)
