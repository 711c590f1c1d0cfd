from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from supportdesk.catalogue.actions import publish_version
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput
from supportdesk.factories import PASSWORD, ClientFactory, ClientUserFactory, OrderFactory, StaffFactory
from supportdesk.sla import calendars_store


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_calendars():
    calendars_store.forget_cache()
    yield
    calendars_store.forget_cache()


def client_with(*offerings: str, **kwargs):  # noqa: ANN201
    client = ClientFactory(**kwargs)
    lines = [LineInput(offering=code, agreed_price=Decimal("1000.00"),
                       user_count=10 if code == "support-24x7" else None) for code in offerings]
    if lines:
        OrderFactory(client=client, lines=lines)
    return client


def requester_of(client):  # noqa: ANN001, ANN201
    return ClientUserFactory(client=client)


@pytest.fixture
def premium_with_resolution(db):  # noqa: ANN001, ANN201
    """Premium with next-update and resolution objectives for every severity (business hours)."""
    premium = Offering.objects.get(code="premium")
    features = dict(premium.versions.order_by("-version").first().features)
    features["objectives"] = dict(features["objectives"])
    for metric, minutes in (("resolution", 16 * 60), ("next_update", 8 * 60)):
        features["objectives"][metric] = {str(s): {"minutes": minutes, "calendar": "business-hours"} for s in (1, 2, 3)}
    latest = premium.versions.order_by("-version").first().effective_from
    publish_version(None, offering=premium, features=features, effective_from=max(latest, date(2026, 1, 1)))
    return client_with("premium")


@pytest.fixture
def staff(db):  # noqa: ANN001, ANN201
    return {role: StaffFactory(staff_roles=[role]) for role in ("agent", "tam", "manager", "sysadmin", "billing")}


@pytest.fixture
def as_person():  # noqa: ANN201
    def login(user) -> HttpClient:  # noqa: ANN001
        http = HttpClient()
        if user is not None:
            assert http.login(email=user.email, password=PASSWORD)
        return http

    return login
