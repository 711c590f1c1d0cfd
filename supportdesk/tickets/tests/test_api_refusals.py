"""Refusals of the ticket API: who may open for others, what a client may do to its ticket, and bad input."""

from __future__ import annotations

import pytest

from supportdesk.tickets.models import Category, Ticket


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


def test_given_an_integration_written_for_other_helpdesks_when_it_sends_title_description_requester_then_201(
        world, as_person):
    # Given an agent's integration that names the fields as other helpdesks' APIs do
    client_user = world["people"]["client_user"]
    response = as_person(world["people"]["agent"]).post(
        "/api/v1/tickets/", {"title": "Backup failed", "description": "The nightly job stopped at 02:00.",
                             "requester": client_user.pk, "severity": 2}, content_type="application/json")
    # Then the ticket is opened as if subject, body and requester_id had been sent
    assert response.status_code == 201, response.content
    opened = response.json()
    assert (opened["subject"], opened["requester_id"], opened["severity"]) == ("Backup failed", client_user.pk, 2)
    assert Ticket.objects.get(pk=opened["id"]).messages.get().body == "The nightly job stopped at 02:00."


def test_given_neither_subject_nor_title_then_422_names_subject(world, as_person):
    response = as_person(world["people"]["client_user"]).post(
        "/api/v1/tickets/", {"body": "No one-line summary"}, content_type="application/json")
    assert response.status_code == 422
    assert "subject" in response.json()["error"]["fields"]


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


def test_given_an_unknown_category_when_opening_a_ticket_then_422_and_no_ticket(world, as_person):
    tickets_before = Ticket.objects.count()
    for category_id in (987654, 10**25):
        response = as_person(world["people"]["client_user"]).post(
            "/api/v1/tickets/", {"subject": "s", "body": "b", "category_id": category_id},
            content_type="application/json")
        assert response.status_code == 422, response.content
        assert Ticket.objects.count() == tickets_before


def test_given_one_idempotency_key_when_the_category_differs_then_422(world, as_person):
    first, second = Category.objects.create(name="Billing"), Category.objects.create(name="Calendars")
    http = as_person(world["people"]["client_user"])
    body = {"subject": "Same", "body": "Same body"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    created = http.post("/api/v1/tickets/", body | {"category_id": first.pk}, content_type="application/json", **headers)
    replayed = http.post("/api/v1/tickets/", body | {"category_id": first.pk}, content_type="application/json", **headers)
    other = http.post("/api/v1/tickets/", body | {"category_id": second.pk}, content_type="application/json", **headers)
    assert (created.status_code, replayed.status_code, other.status_code) == (201, 200, 422)
    assert replayed.json()["id"] == created.json()["id"]


@pytest.mark.parametrize("params,field", [({"status": "frob"}, "status"), ({"queue": "vip"}, "queue"),
                                          ({"status": "frob", "open_only": "true"}, "status")])
def test_given_an_unknown_filter_value_when_listing_tickets_then_422_names_it(world, as_person, params, field):
    response = as_person(world["people"]["agent"]).get("/api/v1/tickets/", params)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


def test_given_nul_characters_in_subject_and_body_then_they_are_dropped_so_every_database_stores_the_ticket(
        world, as_person):
    response = as_person(world["people"]["client_user"]).post(
        "/api/v1/tickets/", {"subject": "Report\x00 fails", "body": "Trace:\x00 none"}, content_type="application/json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.subject == "Report fails"
    assert ticket.messages.get().body == "Trace: none"
    blank = as_person(world["people"]["client_user"]).post(
        "/api/v1/tickets/", {"subject": "\x00", "body": "x"}, content_type="application/json")
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "ticket.subject_required"


def test_given_an_internal_file_on_a_ticket_then_its_history_shown_to_the_client_does_not_name_it(world, as_person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = world["tickets"]["own"]
    agent = as_person(world["people"]["agent"])
    for name, internal in (("shared-steps.txt", "false"), ("internal-db-dump.txt", "true")):
        uploaded = agent.post(f"/api/v1/tickets/{ticket.pk}/attachments?internal={internal}",
                              {"file": SimpleUploadedFile(name, b"hello", "text/plain")})
        assert uploaded.status_code == 201, uploaded.content
    client_history = as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{ticket.pk}/events").json()
    staff_history = agent.get(f"/api/v1/tickets/{ticket.pk}/events").json()
    client_files = [e["data"]["filename"] for e in client_history["items"] if e["kind"] == "attachment.added"]
    staff_files = [e["data"]["filename"] for e in staff_history["items"] if e["kind"] == "attachment.added"]
    assert client_files == ["shared-steps.txt"]
    assert staff_files == ["shared-steps.txt", "internal-db-dump.txt"]
    assert client_history["count"] == len(client_history["items"])


def test_the_api_document_shows_the_seed_severity_definitions_where_a_severity_is_chosen():
    from supportdesk.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    for name in ("TicketIn", "TicketUpdateIn"):
        help_text = schemas[name]["properties"]["severity"]["description"]
        assert "risk of loss or corruption of data" in help_text and "non-critical function" in help_text


def test_given_an_attachment_whose_file_is_gone_from_storage_then_404_with_a_clear_code_not_a_500(world, as_person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supportdesk.tickets.models import Attachment

    ticket = world["tickets"]["own"]
    http = as_person(world["people"]["client_user"])
    uploaded = http.post(f"/api/v1/tickets/{ticket.pk}/attachments",
                         {"file": SimpleUploadedFile("steps.txt", b"hello", "text/plain")})
    attachment = Attachment.objects.get(pk=uploaded.json()["id"])
    attachment.file.storage.delete(attachment.file.name)
    response = http.get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "attachment.file_missing"
