from __future__ import annotations

import pytest

from supportdesk.accounts.actions import assign_tam
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

from .factories import guides_category


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    """Two Premium clients, each with its own TAM, and people in every role."""
    own, other = premium_client(name="Own Firm"), premium_client(name="Other Firm")
    people = {
        "tam": StaffFactory(staff_roles=["tam"], timezone_name="Europe/London"),
        "other_tam": StaffFactory(staff_roles=["tam"]),
        "agent": StaffFactory(staff_roles=["agent"]),
        "manager": StaffFactory(staff_roles=["manager"]),
        "client_admin": ClientUserFactory(client=own, client_role="client_admin"),
        "foreign_admin": ClientUserFactory(client=other, client_role="client_admin"),
        "client_user": ClientUserFactory(client=own),
    }
    assign_tam(None, client=own, tam=people["tam"])
    assign_tam(None, client=other, tam=people["other_tam"])
    category = guides_category()
    ticket = TicketFactory(requester=people["client_user"], subject="Reports are slow", category=category)
    return {"own": own, "other": other, "people": people, "ticket": ticket, "category": category}
