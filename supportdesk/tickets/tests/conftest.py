from __future__ import annotations

import pytest

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    """Two clients, people in every role, and tickets on both sides."""
    from supportdesk.accounts.designations import designate

    own, other = premium_client(name="Own Firm"), premium_client(name="Other Firm")
    people = {
        "agent": StaffFactory(staff_roles=["agent"]),
        "tam": StaffFactory(staff_roles=["tam"]),
        "manager": StaffFactory(staff_roles=["manager"]),
        "billing": StaffFactory(staff_roles=["billing"]),
        "sysadmin": StaffFactory(staff_roles=["sysadmin"]),
        "client_admin": ClientUserFactory(client=own, client_role="client_admin"),
        "designated": ClientUserFactory(client=own),
        "client_user": ClientUserFactory(client=own),
        "colleague": ClientUserFactory(client=own),
        "foreigner": ClientUserFactory(client=other),
    }
    designate(None, client=own, user=people["designated"])
    tickets = {
        "own": TicketFactory(requester=people["client_user"], subject="Own ticket about invoices"),
        "colleague": TicketFactory(requester=people["colleague"], subject="Colleague ticket about calendars"),
        "foreign": TicketFactory(requester=people["foreigner"], subject="Foreign ticket about secrets"),
    }
    return {"own": own, "other": other, "people": people, "tickets": tickets}
