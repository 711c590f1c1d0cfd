"""Refusals of the ticket API: who may open for others, what a client may do to its ticket, and bad input."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("status", ["waiting", "on_hold", "closed"])
def test_given_a_client_user_when_setting_a_staff_status_on_its_ticket_then_403_and_nothing_changes(
        world, as_person, status):
    ticket = world["tickets"]["own"]
    response = as_person(world["people"]["client_user"]).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "status": status}, content_type="application/json")
    assert response.status_code == 403, response.content
    assert "solve or reopen" in response.json()["error"]["message"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == ("new", ticket.version)


def test_given_a_client_user_then_it_may_solve_and_reopen_its_ticket(world, as_person):
    ticket = world["tickets"]["own"]
    http = as_person(world["people"]["client_user"])
    solved = http.patch(f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "status": "solved"},
                        content_type="application/json")
    assert solved.status_code == 200, solved.content
    reopened = http.patch(f"/api/v1/tickets/{ticket.pk}", {"version": solved.json()["version"], "status": "open"},
                          content_type="application/json")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "open"
