from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.errors import NotFound

from .models import ServiceOrder


def client_with_contracts_for(user: Any, client_id: int) -> Client:
    client = policy.visible_clients(user).filter(pk=client_id).first()
    if client is None or not policy.can_view_contracts(user, client):
        raise NotFound("client")
    return client


def orders_of(client: Client) -> QuerySet[ServiceOrder]:
    return client.orders.select_related("amends").prefetch_related(
        "lines", "lines__offering_version", "lines__offering_version__offering", "lines__target",
        "lines__price_approved_by")
