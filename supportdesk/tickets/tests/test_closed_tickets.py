"""A closed ticket takes nothing more from its client, whichever API write it comes by: a reply, a file or a status
(reopening included) is refused with 422 `ticket.closed` naming the field, and nothing is written. Staff may still
write on it (a reply, a note, a file, a correction of severity, queue, assignee or subject), but no status follows
closed for anyone."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.tickets import actions
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent


def _closed(world) -> Ticket:  # noqa: ANN001
    ticket = world["tickets"]["own"]
    return actions.update_ticket(world["people"]["agent"], ticket, expected_version=ticket.version, status="closed")


def _upload(http, ticket: Ticket, name: str = "steps.txt"):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": SimpleUploadedFile(name, b"hello", "text/plain")})


@pytest.mark.parametrize("who", ["client_user", "client_admin", "designated"])
def test_given_a_closed_ticket_when_a_client_uploads_a_file_then_422_as_for_a_reply_and_nothing_is_kept(
        world, as_person, who):
    # Given a closed ticket
    ticket = _closed(world)
    events = TicketEvent.objects.filter(ticket=ticket).count()
    http = as_person(world["people"][who])
    # When a client person uploads a file to it, and replies to it
    uploaded = _upload(http, ticket)
    replied = http.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "still broken"},
                        content_type="application/json")
    # Then both are refused alike, the upload naming its field, and nothing is kept
    assert (uploaded.status_code, replied.status_code) == (422, 422), uploaded.content
    assert uploaded.json()["error"]["code"] == replied.json()["error"]["code"] == "ticket.closed"
    assert uploaded.json()["error"]["fields"] == {"file": "ticket closed"}
    assert not Attachment.objects.filter(ticket=ticket).exists()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_given_a_closed_ticket_when_staff_upload_a_file_then_it_is_kept_as_their_replies_are(world, as_person):
    ticket = _closed(world)
    http = as_person(world["people"]["agent"])
    assert _upload(http, ticket).status_code == 201
    assert http.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "For the record"},
                     content_type="application/json").status_code == 201
    assert Attachment.objects.filter(ticket=ticket, filename="steps.txt").exists()


def test_given_an_open_ticket_when_its_client_uploads_a_file_then_it_is_kept(world, as_person):
    assert _upload(as_person(world["people"]["client_user"]), world["tickets"]["own"]).status_code == 201


@pytest.mark.parametrize("status", ["open", "solved", "closed"])
def test_given_a_closed_ticket_when_its_client_changes_its_status_then_422_ticket_closed_and_nothing_changes(
        world, as_person, status):
    ticket = _closed(world)
    response = as_person(world["people"]["client_user"]).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "status": status}, content_type="application/json")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "ticket.closed" and error["fields"] == {"status": "ticket closed"}
    assert "open a new ticket" in error["message"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == ("closed", ticket.version)


@pytest.mark.parametrize("status", ["open", "solved", "waiting", "on_hold", "new"])
def test_given_a_closed_ticket_when_staff_set_another_status_then_422_no_status_follows_closed(
        world, as_person, status):
    ticket = _closed(world)
    response = as_person(world["people"]["manager"]).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "status": status}, content_type="application/json")
    assert response.status_code == 422 and response.json()["error"]["code"] == "ticket.bad_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_given_a_closed_ticket_when_staff_correct_its_severity_then_it_is_saved_and_it_stays_closed(world, as_person):
    ticket = _closed(world)
    response = as_person(world["people"]["agent"]).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "severity": 2, "subject": "Invoices (resolved)"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["severity"]) == ("closed", 2)


def test_given_a_closed_ticket_when_a_client_asks_to_merge_it_then_403_as_before(world, as_person):
    ticket = _closed(world)
    response = as_person(world["people"]["client_admin"]).post(
        f"/api/v1/tickets/{ticket.pk}/merge", {"into": world["tickets"]["colleague"].pk},
        content_type="application/json")
    assert response.status_code == 403
