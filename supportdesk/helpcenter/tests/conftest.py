from __future__ import annotations

import pytest

from supportdesk.factories import (
    ClientFactory,
    ClientUserFactory,
    OrderFactory,
    StaffFactory,
    premium_client,
)

from .factories import ArticleFactory, SectionFactory


@pytest.fixture
def people(db):  # noqa: ANN001, ANN201
    """Staff, and people of a Premium client, of a Maintenance-only client and of a client with no plan."""
    premium = premium_client(name="Premium Firm")
    maintenance = ClientFactory(name="Maintenance Firm")
    OrderFactory(client=maintenance, offerings=["maintenance"])
    no_plan = ClientFactory(name="Lapsed Firm")
    return {
        "agent": StaffFactory(staff_roles=["agent"]),
        "billing": StaffFactory(staff_roles=["billing"]),
        "premium_user": ClientUserFactory(client=premium),
        "maintenance_user": ClientUserFactory(client=maintenance),
        "no_plan_user": ClientUserFactory(client=no_plan),
        "premium": premium, "maintenance": maintenance, "no_plan": no_plan,
    }


@pytest.fixture
def articles(people):  # noqa: ANN001, ANN201
    section = SectionFactory(name="Guides")
    return {
        "public": ArticleFactory(section=section, title="Public guide"),
        "signed_in": ArticleFactory(section=section, title="Members guide", visibility="signed_in"),
        "entitled_any": ArticleFactory(section=section, title="Plan holders guide", visibility="entitled"),
        "entitled_premium": ArticleFactory(section=section, title="Premium guide", visibility="entitled",
                                           required_offering="premium"),
        "private": ArticleFactory(section=section, title="Private resolution guide", visibility="client",
                                  client=people["premium"]),
        "draft": ArticleFactory(section=section, title="Draft guide", publish=False),
    }
