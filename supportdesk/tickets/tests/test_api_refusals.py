"""Refusals of the ticket API: who may open for others, what a client may do to its ticket, and bad input."""

from __future__ import annotations

from supportdesk.tickets.models import Ticket


def test_given_a_billing_admin_when_opening_a_ticket_for_a_client_user_then_403_and_no_ticket_is_written(
        world, as_person):
    tickets_before = Ticket.objects.count()
    response = as_person(world["people"]["billing"]).post(
        "/api/v1/tickets/", {"subject": "Invoice question", "body": "Please call",
                             "requester_id": world["people"]["client_user"].pk}, content_type="application/json")
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "ticket.open_forbidden"
    assert Ticket.objects.count() == tickets_before


def test_given_an_agent_when_opening_a_ticket_for_a_client_user_then_it_is_created_and_shown(world, as_person):
    response = as_person(world["people"]["agent"]).post(
        "/api/v1/tickets/", {"subject": "Logged for them", "body": "By phone",
                             "requester_id": world["people"]["client_user"].pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["requester_id"] == world["people"]["client_user"].pk
