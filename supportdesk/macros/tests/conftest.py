from __future__ import annotations

from dataclasses import dataclass

import pytest

from supportdesk.accounts.actions import assign_tam
from supportdesk.accounts.models import User
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.tickets.models import Ticket


@dataclass
class Desk:
    agent: User
    other_agent: User
    manager: User
    sysadmin: User
    billing: User
    tam: User
    requester: User
    ticket: Ticket


@pytest.fixture
def desk(db) -> Desk:  # noqa: ANN001
    """A Premium client with a TAM, a ticket of its requester, and staff in every role that matters here."""
    client = premium_client(name="Hartley & Moss LLP")
    tam = StaffFactory(staff_roles=["tam"], full_name="Taylor Tam")
    assign_tam(None, client=client, tam=tam)
    requester = ClientUserFactory(client=client, full_name="Dana Whitfield")
    return Desk(
        agent=StaffFactory(staff_roles=["agent"], full_name="Alex Agent"),
        other_agent=StaffFactory(staff_roles=["agent"], full_name="Jordan Agent"),
        manager=StaffFactory(staff_roles=["manager"], full_name="Morgan Manager"),
        sysadmin=StaffFactory(staff_roles=["sysadmin"], full_name="Avery Admin"),
        billing=StaffFactory(staff_roles=["billing"], full_name="Bailey Billing"),
        tam=tam, requester=requester,
        ticket=TicketFactory(requester=requester, subject="Matter database down", severity=2),
    )
