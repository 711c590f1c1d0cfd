from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import ClientUserFactory, StaffFactory, premium_client


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    """Two Premium clients, people in every role; the TAM is assigned to the own client."""
    from supportdesk.accounts.actions import assign_tam
    from supportdesk.accounts.designations import designate

    own, other = premium_client(name="Own Firm"), premium_client(name="Other Firm")
    people = {
        "agent": StaffFactory(staff_roles=["agent"]),
        "tam": StaffFactory(staff_roles=["tam"]),
        "other_tam": StaffFactory(staff_roles=["tam"]),
        "manager": StaffFactory(staff_roles=["manager"]),
        "billing": StaffFactory(staff_roles=["billing"]),
        "sysadmin": StaffFactory(staff_roles=["sysadmin"]),
        "client_admin": ClientUserFactory(client=own, client_role="client_admin"),
        "designated": ClientUserFactory(client=own),
        "client_user": ClientUserFactory(client=own),
        "foreign_admin": ClientUserFactory(client=other, client_role="client_admin"),
        "foreigner": ClientUserFactory(client=other),
    }
    assign_tam(None, client=own, tam=people["tam"])
    assign_tam(None, client=other, tam=people["other_tam"])
    designate(None, client=own, user=people["designated"])
    return {"own": own, "other": other, "people": people}


@pytest.fixture
def as_person():  # noqa: ANN201
    def login(user) -> HttpClient:  # noqa: ANN001
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        return http

    return login


@pytest.fixture
def tokens_sharing_a_prefix(db, monkeypatch):  # noqa: ANN001, ANN201
    """Two tokens made by `create_token` whose secrets start alike, so both are listed with one prefix (a prefix is
    seven random characters after "sd_": a clash is rare, not impossible). Returns [(token, secret), ...]."""
    from types import SimpleNamespace

    from supportdesk.accounts.actions import create_token

    people = [StaffFactory(email="crm@vendor.example"), StaffFactory(email="billing@vendor.example")]
    tails = iter(["clash12-first-" + "a" * 29, "clash12-other-" + "b" * 29])
    with monkeypatch.context() as patched:  # only while these two are made
        patched.setattr("supportdesk.accounts.actions.secrets", SimpleNamespace(token_urlsafe=lambda n: next(tails)))
        made = [create_token(None, user=person, name=f"{person.email.split('@')[0]} sync") for person in people]
    assert made[0][0].prefix == made[1][0].prefix == "sd_clash12"
    return made
