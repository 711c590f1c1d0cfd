"""Who may see and handle inbound mail: support staff who work tickets. Clients never see this queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .roles import STAFF_WORKERS, has_role


def can_review_mail(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def visible_inbound(user: Any) -> QuerySet:
    from supportdesk.intake.models import InboundMessage

    if not can_review_mail(user):
        return InboundMessage.objects.none()
    return InboundMessage.objects.all()
