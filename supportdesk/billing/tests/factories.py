"""Billing test builders: clients shaped like the demo ones, through the real contract actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from supportdesk.accounts.models import Client, User
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import OrderLine
from supportdesk.factories import ClientFactory, StaffFactory

YEAR_START = date(2026, 1, 1)


def manager() -> User:
    return StaffFactory(staff_roles=["manager"])  # type: ignore[return-value]


def premium_only(name: str = "Hartley & Moss LLP", currency: str = "USD") -> Client:
    client: Client = ClientFactory(name=name)  # type: ignore[assignment]
    record_order(None, client=client, number=f"SOF-{client.pk}-P", kind="form", signed_on=YEAR_START,
                 effective_from=YEAR_START, currency=currency,
                 lines=[LineInput(offering="premium", agreed_price=Decimal("1500.00"))])
    return client


def premium_and_24x7(addendum_on: date, name: str = "Okafor Legal") -> Client:
    """Premium (agreed 1500) + 24/7 at list price for 25 users, then 35 users from `addendum_on`."""
    client: Client = ClientFactory(name=name)  # type: ignore[assignment]
    form = record_order(None, client=client, number=f"SOF-{client.pk}-2", kind="form", signed_on=YEAR_START,
                        effective_from=YEAR_START,
                        lines=[LineInput(offering="premium", agreed_price=Decimal("1500.00")),
                               LineInput(offering="support-24x7", user_count=25)])
    line = OrderLine.objects.get(order=form, offering_version__offering__code="support-24x7")
    record_order(None, client=client, number=f"SOA-{client.pk}-2-1", kind="addendum", amends=form,
                 signed_on=addendum_on, effective_from=addendum_on,
                 lines=[LineInput(action="change", target_line=line.pk, user_count=35)])
    return client


def maintenance_only(name: str = "Brightwater Family Law", starts: date = YEAR_START) -> Client:
    """Maintenance at list price (400.00 USD)."""
    client: Client = ClientFactory(name=name)  # type: ignore[assignment]
    record_order(None, client=client, number=f"SOF-{client.pk}-M", kind="form", signed_on=starts,
                 effective_from=starts, lines=[LineInput(offering="maintenance")])
    return client


def large_24x7(approver: User, name: str = "Castellan Partners") -> Client:
    client: Client = ClientFactory(name=name)  # type: ignore[assignment]
    record_order(approver, client=client, number=f"SOF-{client.pk}-L", kind="form", signed_on=YEAR_START,
                 effective_from=YEAR_START,
                 lines=[LineInput(offering="maintenance", agreed_price=Decimal("900.00")),
                        LineInput(offering="support-24x7", user_count=140, agreed_price=Decimal("2750.00"))])
    return client
