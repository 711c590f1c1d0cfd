"""factory-boy factories for tests, building through the actions so events and rules are real."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from supportdesk.accounts import actions as accounts
from supportdesk.accounts.models import Client, User
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import ServiceOrder
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.models import Ticket

PASSWORD = "correct-horse-battery"


class ClientFactory(factory.Factory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Law Firm {n}")
    timezone_name = "America/Toronto"
    domains = factory.LazyAttribute(lambda o: [f"{''.join(ch for ch in o.name.lower() if ch.isalnum())}.example"])

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return accounts.create_client(None, **kwargs)


class StaffFactory(factory.Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@vendor.example")
    full_name = factory.Sequence(lambda n: f"Staff {n}")
    staff_roles = ["agent"]
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return accounts.create_person(None, **kwargs)


class ClientUserFactory(factory.Factory):
    class Meta:
        model = User

    client = factory.SubFactory(ClientFactory)
    email = factory.Sequence(lambda n: f"user{n}@client.example")
    full_name = factory.Sequence(lambda n: f"Client User {n}")
    client_role = "client_user"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return accounts.create_person(None, **kwargs)


class OrderFactory(factory.Factory):
    """A Service Order Form; pass `offerings=["premium", ...]` (or `lines=[LineInput(...)]`)."""

    class Meta:
        model = ServiceOrder

    client = factory.SubFactory(ClientFactory)
    number = factory.Sequence(lambda n: f"SOF-{n:05d}")
    kind = "form"
    signed_on = date(2026, 1, 1)
    effective_from = date(2026, 1, 1)
    effective_to = None
    offerings: list[str] = ["premium"]
    lines = None

    @classmethod
    def _create(cls, model_class, offerings=None, lines=None, **kwargs):  # noqa: ANN001, ANN206
        lines = lines or [LineInput(offering=code, agreed_price=Decimal("1000.00")) for code in offerings or []]
        return record_order(None, lines=lines, **kwargs)


class TicketFactory(factory.Factory):
    class Meta:
        model = Ticket

    requester = factory.SubFactory(ClientUserFactory)
    subject = factory.Sequence(lambda n: f"Problem number {n}")
    body = "Something does not work as expected."
    severity = 3

    @classmethod
    def _create(cls, model_class, requester, **kwargs):  # noqa: ANN001, ANN206
        return tickets.open_ticket(requester, **kwargs).ticket


def premium_client(**kwargs: object) -> Client:
    client: Client = ClientFactory(**kwargs)  # type: ignore[assignment]
    OrderFactory(client=client, offerings=["premium"])
    return client
