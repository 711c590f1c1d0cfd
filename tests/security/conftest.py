"""A small world for the security tests: two clients (A owns the objects, B is the foreign one), staff."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient

from supportdesk.accounts.actions import create_token
from supportdesk.accounts.models import Client, User
from supportdesk.contracts.models import ServiceOrder
from supportdesk.factories import ClientFactory, ClientUserFactory, OrderFactory, StaffFactory, TicketFactory
from supportdesk.tickets.attachments import add_attachment
from supportdesk.tickets.models import Attachment, Ticket


@dataclass
class World:
    client_a: Client
    client_b: Client
    admin_a: User
    user_a: User
    admin_b: User
    user_b: User
    agent: User
    ticket_a: Ticket
    attachment_a: Attachment
    order_a: ServiceOrder

    def token_client(self, user: User | None) -> HttpClient:
        if user is None:
            return HttpClient()
        _, secret = create_token(None, user=user, name="test")
        return HttpClient(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture(autouse=True)
def _fresh_cache():  # noqa: ANN202
    cache.clear()


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    client_a = ClientFactory()
    order_a = OrderFactory(client=client_a, offerings=["premium"])
    client_b = ClientFactory()
    OrderFactory(client=client_b, offerings=["premium"])
    admin_a = ClientUserFactory(client=client_a, client_role="client_admin")
    user_a = ClientUserFactory(client=client_a)
    admin_b = ClientUserFactory(client=client_b, client_role="client_admin")
    user_b = ClientUserFactory(client=client_b)
    agent = StaffFactory(staff_roles=["agent"])
    ticket_a = TicketFactory(requester=user_a, subject="Client A's private matter", body="Confidential body of A")
    attachment_a = add_attachment(user_a, ticket_a, upload=io.BytesIO(b"secret file of A"), filename="a.txt",
                                  content_type="text/plain")
    return World(client_a, client_b, admin_a, user_a, admin_b, user_b, agent, ticket_a, attachment_a, order_a)
