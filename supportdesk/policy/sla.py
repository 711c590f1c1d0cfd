"""SLA: who sees the manager dashboard, edits calendars, and which parts of a clock a person sees."""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import StaffRole

from .roles import STAFF_WORKERS, has_role
from .tickets import can_view_ticket

SLA_MANAGERS = (StaffRole.MANAGER, StaffRole.SYSADMIN)


def can_view_dashboard(user: Any) -> bool:
    """Support managers and system admins; everybody else gets 404."""
    return has_role(user, *SLA_MANAGERS)


def can_edit_calendars(user: Any) -> bool:
    return has_role(user, *SLA_MANAGERS)


def can_view_clocks(user: Any, ticket: Any) -> bool:
    """Whoever may see the ticket sees its clocks' state (agents, and clients on their own tickets)."""
    return can_view_ticket(user, ticket)


def can_see_internal_clock_history(user: Any) -> bool:
    """Warnings and their recipients are internal: staff who work tickets only."""
    return has_role(user, *STAFF_WORKERS)
