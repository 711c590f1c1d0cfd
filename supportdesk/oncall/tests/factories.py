"""Clients with and without 24/7 Support, built through the contract actions."""

from __future__ import annotations

from decimal import Decimal

from supportdesk.accounts.models import Client
from supportdesk.contracts.actions import LineInput
from supportdesk.factories import ClientFactory, OrderFactory


def client_24x7(**kwargs: object) -> Client:
    client: Client = ClientFactory(**kwargs)  # type: ignore[assignment]
    OrderFactory(client=client, lines=[LineInput(offering="support-24x7", user_count=10, agreed_price=Decimal("500.00")),
                                       LineInput(offering="premium", agreed_price=Decimal("1000.00"))])
    return client


def client_standard(**kwargs: object) -> Client:
    client: Client = ClientFactory(**kwargs)  # type: ignore[assignment]
    OrderFactory(client=client, offerings=["premium"])
    return client
