"""The per-request scope: entitlements are computed once per client and day within a request, and a
contract recorded during the request is seen at once; schema errors are not disguised as outages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.factories import ClientFactory, OrderFactory
from supportdesk.revisions.cache import snapshot_per_request
from supportdesk.web.middleware import DatabaseUnavailableMiddleware


@pytest.mark.django_db
def test_given_one_request_when_asking_twice_then_the_second_answer_costs_no_query(django_assert_num_queries):
    client = ClientFactory()
    OrderFactory(client=client, offerings=["premium"])
    with snapshot_per_request():
        first = entitlements_for(client, date(2026, 6, 1))
        with django_assert_num_queries(0):
            again = entitlements_for(client, date(2026, 6, 1))
    assert again is first


@pytest.mark.django_db
def test_given_a_contract_recorded_mid_request_when_asking_again_then_it_counts():
    client = ClientFactory()
    with snapshot_per_request():
        assert not entitlements_for(client, date(2026, 6, 1)).has_any_plan
        record_order(None, client=client, number="SOF-MID", kind="form", signed_on=date(2026, 1, 1),
                     effective_from=date(2026, 1, 1), effective_to=None,
                     lines=[LineInput(offering="premium", agreed_price=Decimal("1000.00"))])
        assert entitlements_for(client, date(2026, 6, 1)).has_offering("premium")


@pytest.mark.django_db
def test_given_no_request_when_asking_again_then_the_revision_is_checked_and_a_change_is_seen(
        django_assert_num_queries):
    # Outside a request there is no snapshot: every answer checks the entitlement revision (one query).
    client = ClientFactory()
    assert not entitlements_for(client, date(2026, 6, 1)).has_any_plan
    with django_assert_num_queries(1):
        entitlements_for(client, date(2026, 6, 1))
    OrderFactory(client=client, offerings=["premium"])
    assert entitlements_for(client, date(2026, 6, 1)).has_offering("premium")


def test_given_a_schema_error_then_it_is_a_500_not_a_503():
    middleware = DatabaseUnavailableMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/api/v1/tickets/")
    assert middleware.process_exception(request, OperationalError("no such column: x")) is None
    outage = middleware.process_exception(request, OperationalError("connection refused"))
    assert outage is not None and outage.status_code == 503 and outage["Retry-After"] == "5"
