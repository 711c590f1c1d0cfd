"""The ticket list (W2): count from the trigger-kept counter where it can answer, items from `.values_list()`
rows — and the same document, byte for byte, as the model-instance path through ninja's TicketOut."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from supportdesk import policy
from supportdesk.accounts.designations import designate
from supportdesk.accounts.models import User
from supportdesk.factories import (
    ClientFactory,
    ClientUserFactory,
    StaffFactory,
    TicketFactory,
    premium_client,
)
from supportdesk.tickets import queries
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.schemas import TicketOut

ROLES = ["agent", "tam", "manager", "billing", "client_admin", "designated", "client_user", "nameless", "foreigner"]


@pytest.fixture
def world(transactional_db):  # noqa: ANN001, ANN201
    """Two clients (one Premium, with a designated user in the priority queue), people in every role, and
    open and closed tickets in every queue; some without an SLA due time, one requester without a name."""
    own, other = premium_client(name="Own Firm"), ClientFactory(name="Other Firm")
    people = {
        "agent": StaffFactory(staff_roles=["agent"]),
        "tam": StaffFactory(staff_roles=["tam"]),
        "manager": StaffFactory(staff_roles=["manager"]),
        "billing": StaffFactory(staff_roles=["billing"]),
        "client_admin": ClientUserFactory(client=own, client_role="client_admin"),
        "designated": ClientUserFactory(client=own),
        "client_user": ClientUserFactory(client=own),
        "nameless": ClientUserFactory(client=own, full_name=""),
        "foreigner": ClientUserFactory(client=other),
    }
    designate(None, client=own, user=people["designated"])
    for requester in ["designated"] * 4 + ["client_user"] * 3 + ["nameless"] * 2 + ["foreigner"] * 3:
        TicketFactory(requester=people[requester])
    tickets = list(Ticket.objects.order_by("id"))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[::4]]).update(sla_due_at=None)
    Ticket.objects.filter(pk=tickets[1].pk).update(is_open=False, status="closed")
    Ticket.objects.filter(pk=tickets[5].pk).update(is_open=False, status="solved")
    Ticket.objects.filter(pk=tickets[6].pk).update(queue="review", queue_rank=2)
    Ticket.objects.filter(pk=tickets[2].pk).update(sla_due_at=timezone.now() + timedelta(microseconds=123457))
    assert {t.queue for t in Ticket.objects.all()} == {"priority", "standard", "review"}
    assert Ticket.objects.filter(sla_due_at__isnull=True).exists()
    return people


def old_document(user: User, params: dict[str, str]) -> bytes:
    """What the endpoint answered before W2: COUNT(*) and TicketOut over model instances, rendered by ninja."""
    page, size = int(params.get("page", 1)), int(params.get("page_size", 25))
    open_only, queue, status = params.get("open_only") == "true", params.get("queue"), params.get("status")
    if open_only and params.get("sort", "queue") == "queue":
        qs = queries.agent_queue(user, queue=queue)
    else:
        qs = queries.ticket_list(user, status=status, queue=queue, open_only=open_only)
        qs = qs.order_by("-created_at", "-id") if params.get("sort") == "newest" else qs.order_by(*queries.QUEUE_ORDER)
    count = qs.count()
    items = [TicketOut.model_validate(t).model_dump() for t in qs[(page - 1) * size:page * size]]
    return json.dumps({"items": items, "count": count}, cls=NinjaJSONEncoder).encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("params", [{"open_only": "true"}, {"open_only": "true", "queue": "priority"},
                                    {"open_only": "true", "queue": "standard"}, {"open_only": "true", "queue": "review"},
                                    {"open_only": "true", "page_size": "3", "page": "2"}])
def test_given_every_role_when_listing_the_open_queue_then_count_and_items_are_those_of_the_old_path(
        world, as_person, role, params):
    # Given a person in this role (outside any transaction, as a request is, so PostgreSQL uses the counter too)
    person = world[role]
    # When they list the open queue
    with CaptureQueriesContext(connection) as ctx:
        response = as_person(person).get("/api/v1/tickets/", params)
    # Then the document is byte for byte the one of the old computation
    assert response.status_code == 200
    assert response.content == old_document(person, params)
    # And the count came from the counter wherever it can answer (not for a client user's own tickets)
    scope = policy.ticket_scope(person).kind
    used_counter = any("tickets_openticketcount" in q["sql"] for q in ctx.captured_queries)
    assert used_counter == (scope in ("all", "client")), (scope, [q["sql"][:80] for q in ctx.captured_queries])
    if role == "agent" and params == {"open_only": "true"}:
        assert response.json()["count"] == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["agent", "client_admin", "client_user"])
@pytest.mark.parametrize("params", [{}, {"sort": "newest"}, {"status": "open"}, {"open_only": "true", "status": "new"},
                                    {"open_only": "true", "sort": "newest", "queue": "priority"},
                                    {"queue": "standard", "page": "2", "page_size": "4"}])
def test_given_other_filters_when_listing_then_count_and_items_are_those_of_the_old_path(
        world, as_person, role, params):
    response = as_person(world[role]).get("/api/v1/tickets/", params)
    assert response.status_code == 200
    assert response.content == old_document(world[role], params)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("params", [{"open_only": "true", "page": "9341990191611286707503104"},
                                    {"open_only": "true", "page": str(2**62)}, {"open_only": "true", "page": "99"}])
def test_given_a_page_beyond_the_end_when_listing_the_queue_then_no_items_and_the_count(world, as_person, params):
    response = as_person(world["agent"]).get("/api/v1/tickets/", params)
    assert response.status_code < 500
    if response.status_code == 200:
        assert response.json() == {"items": [], "count": 10}


@pytest.mark.django_db(transaction=True)
def test_given_a_page_when_serialised_then_the_items_are_what_ticket_out_gives(world):
    # Given every ticket (nulls, no name, all queues, microseconds) / When serialised both ways
    qs = Ticket.objects.order_by("id")
    fast = queries.ticket_items(qs, 0, 100)
    slow = [TicketOut.model_validate(t).model_dump() for t in qs.select_related("client", "requester")]
    # Then the same keys in the same order and the same values and types
    assert [list(item) for item in fast] == [list(item) for item in slow]
    assert fast == slow
    assert [[type(v) for v in item.values()] for item in fast] == [[type(v) for v in item.values()] for item in slow]
    assert any(item["requester"] == world["nameless"].email for item in fast)
    assert any(item["sla_due_at"] is None for item in fast)


def test_the_list_keeps_the_openapi_of_ninjas_page_number_pagination():
    # Given the same endpoint written with ninja's @paginate and every list's PageNumberPagination (ninja's, with
    # `page` and `page_size` bounded), in an API of its own
    from ninja import NinjaAPI, Query, Router
    from ninja.pagination import paginate

    from supportdesk.api import api
    from supportdesk.pagination import PageNumberPagination

    reference = Router()

    @reference.get("/", response=list[TicketOut], summary="List tickets you may see")
    @paginate(PageNumberPagination, page_size=25)
    def list_tickets(request, status: str | None = None, queue: str | None = None,  # noqa: ANN001, ANN202
                     q: str | None = Query(None, description="Full-text search in subjects and conversations"),
                     open_only: bool = False, sort: str = Query("queue", pattern="^(queue|newest)$"),
                     assignee: str | None = Query(None, pattern="^(me|none|[0-9]{1,12})$",
                                                  description="me, none (unassigned) or a staff id")):
        return Ticket.objects.none()

    reference_api = NinjaAPI(urls_namespace="w2-reference-pagination")
    reference_api.add_router("/tickets/", reference)
    # When both documents are generated
    theirs = reference_api.get_openapi_schema(path_prefix="/api/v1")
    ours = api.get_openapi_schema()
    # Then the list operation's parameters, responses and page schema are the same
    their_op, our_op = theirs["paths"]["/api/v1/tickets/"]["get"], ours["paths"]["/api/v1/tickets/"]["get"]
    assert our_op["parameters"] == their_op["parameters"]
    # (ours also lists the API's error responses, supportdesk.api.document_errors: test_r3_audit.py)
    assert {k: v for k, v in our_op["responses"].items() if int(k) < 400} == their_op["responses"]
    assert our_op["summary"] == their_op["summary"]
    assert ours["components"]["schemas"]["PagedTicketOut"] == theirs["components"]["schemas"]["PagedTicketOut"]
