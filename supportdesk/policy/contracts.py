"""Contracts and entitlements."""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import Client, StaffRole

from .roles import has_role, is_client_admin, is_staff_member


def can_view_contracts(user: Any, client: Client) -> bool:
    if is_staff_member(user):
        return True
    return is_client_admin(user) and user.client_id == client.pk  # type: ignore[attr-defined]


def can_edit_contracts(user: Any) -> bool:
    return has_role(user, StaffRole.MANAGER, StaffRole.BILLING, StaffRole.SYSADMIN)
