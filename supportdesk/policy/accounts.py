"""Clients and people."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.accounts.models import Client, StaffRole

from .roles import has_role, is_client_admin, is_client_person, is_staff_member


def visible_clients(user: Any) -> QuerySet[Client]:
    if is_staff_member(user):
        return Client.objects.all()
    if is_client_person(user):
        return Client.objects.filter(pk=user.client_id)  # type: ignore[attr-defined]
    return Client.objects.none()


def can_view_client(user: Any, client: Client) -> bool:
    return visible_clients(user).filter(pk=client.pk).exists()


def can_manage_clients(user: Any) -> bool:
    return has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN, StaffRole.BILLING)


def can_manage_designations(user: Any, client: Client) -> bool:
    """The client's admin, the client's TAM, managers and system admins."""
    if is_client_admin(user):
        return user.client_id == client.pk  # type: ignore[attr-defined]
    if has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN):
        return True
    if has_role(user, StaffRole.TAM):
        return client.tam_assignments.filter(tam=user, end__isnull=True).exists()
    return False


def can_manage_api_tokens(user: Any) -> bool:
    """Tokens for integrations act as their person on every route: system admins alone list, make and revoke them."""
    return has_role(user, StaffRole.SYSADMIN)
