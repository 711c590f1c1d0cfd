"""The TAM context: who works a client's account, who sees its calls, visits, upgrades and library.

- managers and system admins: every client;
- a TAM: the clients they are the current TAM of (another TAM's clients answer 404);
- a client admin: their own client's calls, visits, expenses and upgrades (read; confirm upgrades);
- library items follow the ticket they are attached to (`visible_tickets`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.accounts.models import Client, StaffRole
from supportdesk.tickets.models import Ticket

from .roles import STAFF_WORKERS, has_role, is_client_admin
from .tickets import can_view_ticket, visible_tickets


def is_tam_manager(user: Any) -> bool:
    return has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN)


def worked_clients(user: Any) -> QuerySet[Client]:
    """Clients whose TAM work this person may do (plan calls, visits, upgrades, guides)."""
    if is_tam_manager(user):
        return Client.objects.all()
    if has_role(user, StaffRole.TAM):
        return Client.objects.filter(tam_assignments__tam=user, tam_assignments__end__isnull=True)
    return Client.objects.none()


def can_work_client(user: Any, client: Client) -> bool:
    return worked_clients(user).filter(pk=client.pk).exists()


def tam_visible_clients(user: Any) -> QuerySet[Client]:
    """Clients whose TAM items (calls, visits, expenses, upgrades) this person may read."""
    if is_client_admin(user):
        return Client.objects.filter(pk=user.client_id)
    return worked_clients(user)


def can_view_tam_items(user: Any, client: Client) -> bool:
    return tam_visible_clients(user).filter(pk=client.pk).exists()


def can_confirm_upgrade(user: Any, client: Client) -> bool:
    """The client's admin confirms a window; its TAM or a manager may record a confirmation given by phone."""
    return (is_client_admin(user) and user.client_id == client.pk) or can_work_client(user, client)


def can_escalate_to_tam(user: Any, ticket: Ticket) -> bool:
    return has_role(user, *STAFF_WORKERS) and can_view_ticket(user, ticket)


def can_reassign_tam(user: Any) -> bool:
    return is_tam_manager(user)


def visible_library_tickets(user: Any) -> QuerySet[Ticket]:
    return visible_tickets(user)
