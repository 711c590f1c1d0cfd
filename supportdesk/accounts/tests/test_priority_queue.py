"""Priority queue (R7): designated users of a Premium client enter the priority queue; agents' queue list and
"next ticket" order by queue, then nearest SLA due (none last), then severity, then age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.accounts.designations import designate
from supportdesk.factories import (
    ClientFactory,
    ClientUserFactory,
    OrderFactory,
    StaffFactory,
    TicketFactory,
    premium_client,
)
from supportdesk.tickets.models import Ticket


def _ticket(requester, severity: int, due_in_minutes: int | None):  # noqa: ANN001, ANN202
    ticket = TicketFactory(requester=requester, severity=severity)
    due = timezone.now() + timedelta(minutes=due_in_minutes) if due_in_minutes is not None else None
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due)  # the SLA clocks' denormalised nearest due
    return ticket


@pytest.fixture
def queue_world(db):  # noqa: ANN001, ANN201
    client = premium_client()
    designated, other = ClientUserFactory(client=client), ClientUserFactory(client=client)
    designate(None, client=client, user=designated)
    agent = StaffFactory(staff_roles=["agent"])
    http = HttpClient()
    http.force_login(agent)
    return {"designated": designated, "other": other, "agent": agent, "http": http}


def test_queue_list_and_next_ticket_order_by_queue_then_due_then_severity_then_age(queue_world):
    d, n, http = queue_world["designated"], queue_world["other"], queue_world["http"]
    # Given open tickets from a designated and a non-designated user of a Premium client
    standard_sev1_no_due = _ticket(n, 1, None)
    priority_sev3_due_2h = _ticket(d, 3, 120)
    priority_sev1_due_1h = _ticket(d, 1, 60)
    priority_sev2_no_due = _ticket(d, 2, None)
    standard_sev3_due_30m = _ticket(n, 3, 30)
    priority_sev2_due_1h = _ticket(d, 2, 60)
    priority_sev1_due_1h_newer = _ticket(d, 1, 60)
    Ticket.objects.filter(pk=priority_sev1_due_1h_newer.pk).update(
        sla_due_at=Ticket.objects.get(pk=priority_sev1_due_1h.pk).sla_due_at)
    closed = _ticket(d, 1, 1)
    Ticket.objects.filter(pk=closed.pk).update(is_open=False, status="closed")
    assert priority_sev1_due_1h.queue == "priority" and standard_sev1_no_due.queue == "standard"
    # When the agent lists the open queue
    listed = http.get("/api/v1/tickets/", {"open_only": "true"}).json()["items"]
    # Then priority first, then the nearest due (none last), then severity, then age
    assert [t["id"] for t in listed] == [t.pk for t in (
        priority_sev1_due_1h, priority_sev1_due_1h_newer, priority_sev2_due_1h, priority_sev3_due_2h,
        priority_sev2_no_due, standard_sev3_due_30m, standard_sev1_no_due)]
    # And "next ticket" hands out the head of that order, skipping tickets taken by someone else
    assert http.get("/api/v1/tickets/next").json()["id"] == priority_sev1_due_1h.pk
    Ticket.objects.filter(pk=priority_sev1_due_1h.pk).update(assignee=StaffFactory(staff_roles=["agent"]))
    assert http.get("/api/v1/tickets/next").json()["id"] == priority_sev1_due_1h_newer.pk


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([None, 10, 60, 240]), st.sampled_from([1, 2, 3])),
                min_size=1, max_size=6))
def test_property_the_queue_order_is_the_documented_sort_key(queue_world, specs):
    Ticket.objects.all().delete()
    made = []
    for designated, due, severity in specs:
        ticket = _ticket(queue_world["designated"] if designated else queue_world["other"], severity, due)
        made.append(Ticket.objects.get(pk=ticket.pk))
    never = timezone.now() + timedelta(days=3650)
    expected = sorted(made, key=lambda t: (t.queue_rank, t.sla_due_at or never, t.severity, t.created_at, t.pk))
    listed = queue_world["http"].get("/api/v1/tickets/", {"open_only": "true"}).json()["items"]
    assert [t["id"] for t in listed] == [t.pk for t in expected], (specs, [(t.pk, t.queue_rank, t.sla_due_at, t.severity, t.created_at) for t in made])


@pytest.mark.parametrize("params", [{}, {"sort": "queue"}, {"status": "new"}, {"queue": "priority"}])
def test_the_queue_sort_of_the_full_list_puts_tickets_without_a_due_last_too(queue_world, params):
    d = queue_world["designated"]
    # Given an older priority ticket with no SLA due and a newer one due in an hour
    no_due = _ticket(d, 1, None)
    due_1h = _ticket(d, 1, 60)
    # When the agent lists tickets in queue order without restricting to open ones
    listed = queue_world["http"].get("/api/v1/tickets/", params).json()["items"]
    # Then the nearest due comes first and the ticket without a due last, as in the open queue
    assert [t["id"] for t in listed] == [due_1h.pk, no_due.pk]



def test_the_open_queue_honours_status_and_search_filters(queue_world):
    d, http = queue_world["designated"], queue_world["http"]
    # Given two open tickets, one waiting on the client
    waiting, working = _ticket(d, 1, None), _ticket(d, 1, 60)
    Ticket.objects.filter(pk=waiting.pk).update(status="waiting")
    # When the agent filters the open queue by status, or searches it
    by_status = http.get("/api/v1/tickets/", {"open_only": "true", "status": "waiting"}).json()
    by_search = http.get("/api/v1/tickets/", {"open_only": "true", "q": "nothingmatchesthis"}).json()
    # Then only the matching tickets are listed and counted, still in queue order
    assert ([t["id"] for t in by_status["items"]], by_status["count"]) == ([waiting.pk], 1)
    assert (by_search["items"], by_search["count"]) == ([], 0)
    both = http.get("/api/v1/tickets/", {"open_only": "true", "status": "new"}).json()
    assert [t["id"] for t in both["items"]] == [working.pk]

def test_the_portal_tells_a_non_designated_user_why_they_are_in_the_standard_queue(queue_world):
    http = HttpClient()
    http.force_login(queue_world["other"])
    page = http.get("/portal/tickets/new/").content.decode()
    assert "Standard" in page and "Only designated users are served in the priority queue" in page
    http.force_login(queue_world["designated"])
    assert "You are a designated user of a Premium Support client" in http.get("/portal/tickets/new/").content.decode()


def test_the_portal_tells_users_of_a_client_without_premium_why(db):
    client = ClientFactory()
    OrderFactory(client=client, offerings=["maintenance"])
    http = HttpClient()
    http.force_login(ClientUserFactory(client=client))
    assert "does not include the priority queue" in http.get("/portal/tickets/new/").content.decode()


def test_next_ticket_puts_the_agents_own_urgent_ticket_before_a_later_unassigned_one(queue_world):
    d, n, agent, http = queue_world["designated"], queue_world["other"], queue_world["agent"], queue_world["http"]
    # Given the agent's own priority ticket due in 10 minutes and an unassigned standard one due in 50 hours
    own_urgent = _ticket(d, 2, 10)
    Ticket.objects.filter(pk=own_urgent.pk).update(assignee=agent)
    unassigned_later = _ticket(n, 3, 50 * 60)
    # And a more urgent ticket taken by another agent
    taken = _ticket(d, 1, 5)
    Ticket.objects.filter(pk=taken.pk).update(assignee=StaffFactory(staff_roles=["agent"]))
    # When the agent asks for the next ticket, then they get their own urgent one (R7 order), not the other's
    assert http.get("/api/v1/tickets/next").json()["id"] == own_urgent.pk
    # And once it is solved, the unassigned one
    Ticket.objects.filter(pk=own_urgent.pk).update(is_open=False, status="solved")
    assert http.get("/api/v1/tickets/next").json()["id"] == unassigned_later.pk
