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


@pytest.mark.django_db
def test_given_a_24x7_client_and_a_webhook_when_a_ticket_is_opened_through_the_api_then_no_read_holds_the_write_lock():
    """Inside the write transaction only INSERTs run: the on-call decision and the webhook subscribers are read
    before it (each read inside would be a revision query again, with SQLite's one write lock held)."""
    import json

    import time_machine
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from supportdesk.accounts.actions import create_token
    from supportdesk.factories import ClientUserFactory, StaffFactory
    from supportdesk.notifications.models import OutboxItem, WebhookSubscription

    client = ClientFactory()
    OrderFactory(client=client, lines=[LineInput(offering="premium", agreed_price=Decimal("1000.00")),
                                       LineInput(offering="support-24x7", user_count=25)])
    requester = ClientUserFactory(client=client)
    WebhookSubscription.objects.create(url="https://hooks.example/in", secret="s" * 32, topics=["ticket.*"])
    _, token = create_token(None, user=StaffFactory())
    http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"subject": "Docketing down", "body": "Nobody can open a matter.",
                       "requester_id": requester.pk, "severity": 2})
    with time_machine.travel("2026-11-25T15:00:00Z"):  # Wednesday 10:00 in Toronto: asks whether to page on call
        http.get("/api/v1/tickets/")  # warm the per-process caches, as any running server has them
        with CaptureQueriesContext(connection) as queries:
            response = http.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    # The test's own transaction makes the action's one a savepoint: from SAVEPOINT to its RELEASE.
    opened = statements.index("SAVEPOINT") if "SAVEPOINT" in statements else len(statements)
    inside = statements[opened + 1:statements.index("RELEASE")] if "RELEASE" in statements else []
    assert inside and set(inside) == {"INSERT"}, statements
    assert OutboxItem.objects.filter(kind="webhook", topic="ticket.opened").count() == 1
