"""Outbound webhook subscriptions: integrations are set up by system admins only."""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import StaffRole

from .roles import has_role


def can_manage_webhooks(user: Any) -> bool:
    return has_role(user, StaffRole.SYSADMIN)
