"""Phone line: working staff see calls and log them on tickets they can see; clients see none."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.telephony.models import Call
from supportdesk.tickets.models import Ticket

from .roles import STAFF_WORKERS, has_role
from .tickets import can_view_ticket


def visible_calls(user: Any, qs: QuerySet[Call] | None = None) -> QuerySet[Call]:
    qs = Call.objects.all() if qs is None else qs
    return qs if has_role(user, *STAFF_WORKERS) else qs.none()


def can_log_call(user: Any, ticket: Ticket) -> bool:
    return has_role(user, *STAFF_WORKERS) and can_view_ticket(user, ticket)


def can_claim_calls(user: Any) -> bool:
    """Turning a call from an unknown number into a ticket: the staff who see calls and open tickets for clients."""
    return has_role(user, *STAFF_WORKERS)
