"""Satisfaction: who sees the CSAT reports. Surveys themselves are answered by whoever holds the link's token."""

from __future__ import annotations

from typing import Any

from .sla import can_view_dashboard


def can_view_satisfaction(user: Any) -> bool:
    """The people who see the SLA dashboard (managers, system admins); everybody else gets 404."""
    return can_view_dashboard(user)
