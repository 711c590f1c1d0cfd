"""Reads of inbound mail, through the policy (staff who work tickets only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.accounts.models import ClientDomain, User
from supportdesk.errors import NotFound
from supportdesk.policy.intake import visible_inbound

from .models import NEEDS_REVIEW, InboundMessage, InboundStatus


def review_queue(user: Any, which: str = "review") -> QuerySet[InboundMessage]:
    qs = visible_inbound(user).defer("raw").select_related("ticket")
    if which == "all":
        return qs
    if which == "pending":
        return qs.filter(status=InboundStatus.PENDING)
    return qs.filter(status=InboundStatus.PROCESSED, outcome__in=NEEDS_REVIEW)


def inbound_for(user: Any, inbound_id: int) -> InboundMessage:
    inbound = visible_inbound(user).filter(pk=inbound_id).select_related("ticket", "reviewed_by").first()
    if inbound is None:
        raise NotFound("message")
    return inbound


def suggested_requesters(inbound: InboundMessage) -> QuerySet[User]:
    """Active people of the client whose mail domain the sender has (staff pick one to open a ticket)."""
    domain = inbound.sender.rsplit("@", 1)[-1] if "@" in inbound.sender else ""
    client_ids = ClientDomain.objects.filter(domain__iexact=domain).values("client_id")
    return User.objects.filter(client_id__in=client_ids, is_active=True).order_by("email")
