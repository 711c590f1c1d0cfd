from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import ClientFactory, ClientUserFactory, OrderFactory, StaffFactory, premium_client

from .factories import EventFactory, ReleaseFactory, TrainingItemFactory


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    """A Premium client, a client with Maintenance only, one with no plan; staff in every role; content."""
    from supportdesk.accounts.designations import designate

    own, plain, maint = premium_client(name="Own Firm"), ClientFactory(name="Plain Firm"), ClientFactory(name="Maint Firm")
    OrderFactory(client=maint, offerings=["maintenance"])
    people = {
        "agent": StaffFactory(staff_roles=["agent"]),
        "tam": StaffFactory(staff_roles=["tam"]),
        "manager": StaffFactory(staff_roles=["manager"]),
        "billing": StaffFactory(staff_roles=["billing"]),
        "sysadmin": StaffFactory(staff_roles=["sysadmin"]),
        "client_admin": ClientUserFactory(client=own, client_role="client_admin"),
        "designated": ClientUserFactory(client=own),
        "client_user": ClientUserFactory(client=own),
        "maint_user": ClientUserFactory(client=maint),
        "plain_user": ClientUserFactory(client=plain),
        "foreign_admin": ClientUserFactory(client=plain, client_role="client_admin"),
    }
    designate(None, client=own, user=people["designated"])
    return {"own": own, "plain": plain, "maint": maint, "people": people, "release": ReleaseFactory(),
            "item": TrainingItemFactory(), "event": EventFactory()}


@pytest.fixture
def as_person():  # noqa: ANN201
    def login(user) -> HttpClient:  # noqa: ANN001
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        return http

    return login
