"""R3 and the API rules (SPEC §4, §11) checked end to end: the OpenAPI document's error responses, stale saves
from two people, internal notes and their files kept from clients everywhere, and the history's sources."""

from __future__ import annotations

import io

import pytest

from supportdesk.tickets import actions, attachments
from supportdesk.tickets.models import Attachment, MessageKind, Ticket


@pytest.fixture
def openapi(db):  # noqa: ANN001, ANN201
    from django.test import Client as HttpClient

    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict):  # noqa: ANN202
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_given_the_openapi_document_then_every_operation_lists_its_error_responses_in_the_error_shape(openapi):
    # Given the published document
    assert openapi["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, method, operation in _operations(openapi):
        responses = operation["responses"]
        takes_input = bool(operation.get("parameters")) or "requestBody" in operation
        # Then each operation names the refusals it can answer...
        expected = {"500", "503"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if takes_input:
            expected.add("422")
        assert expected <= set(responses), (method, path, sorted(responses))
        # ...each in the one error shape
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_given_the_openapi_document_then_the_ticket_endpoints_name_their_parameters_and_conflicts(openapi):
    tickets = openapi["paths"]["/api/v1/tickets/"]
    listed = {p["name"] for p in tickets["get"]["parameters"]}
    assert {"status", "queue", "q", "open_only", "sort", "assignee", "page", "page_size"} <= listed
    assert "Idempotency-Key" in {p["name"] for p in tickets["post"]["parameters"]}
    one = openapi["paths"]["/api/v1/tickets/{ticket_id}"]
    assert "ticket.stale_version" in one["patch"]["responses"]["409"]["description"]
    assert "409" in openapi["paths"]["/api/v1/tickets/{ticket_id}/merge"]["post"]["responses"]


def test_given_two_agents_loaded_the_same_version_when_both_save_then_the_second_gets_409_and_the_first_is_kept(
        world, as_person):
    # Given two agents who loaded the same version of a ticket
    ticket = world["tickets"]["own"]
    first, second = as_person(world["people"]["agent"]), as_person(world["people"]["manager"])
    loaded = first.get(f"/api/v1/tickets/{ticket.pk}").json()["version"]
    # When both save a change with it
    saved = first.patch(f"/api/v1/tickets/{ticket.pk}", {"version": loaded, "severity": 1},
                        content_type="application/json")
    stale = second.patch(f"/api/v1/tickets/{ticket.pk}", {"version": loaded, "subject": "Renamed meanwhile"},
                         content_type="application/json")
    # Then the first is kept, the second is told the version now, and changes nothing
    assert saved.status_code == 200, saved.content
    assert stale.status_code == 409, stale.content
    error = stale.json()["error"]
    assert error["code"] == "ticket.stale_version"
    assert error["details"]["current_version"] == saved.json()["version"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.severity, fresh.subject, fresh.version) == (1, ticket.subject, saved.json()["version"])


@pytest.mark.parametrize("path,target", [
    (["solved", "closed"], "new"), (["solved", "closed"], "open"), (["solved"], "waiting"), (["open"], "new"),
])
def test_given_a_transition_that_makes_no_sense_then_422_names_the_status_and_nothing_changes(world, as_person,
                                                                                         path, target):
    # Given a ticket an agent moved along `path`
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    for step in path:
        ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status=step)
    # When the agent asks for a status that may not follow
    response = as_person(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "status": target},
                                      content_type="application/json")
    # Then 422 ticket.bad_transition naming the field, and the ticket is as it was
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "ticket.bad_transition"
    assert "status" in response.json()["error"]["fields"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == (ticket.status, ticket.version)


def test_given_a_file_on_an_internal_note_then_clients_never_see_it(world, as_person):
    # Given an agent's internal note with a file attached to it (the caller did not say "internal")
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    note = actions.add_message(agent, ticket, body="Root cause: vendor bug", kind=MessageKind.INTERNAL)
    attachment = attachments.add_attachment(agent, ticket, upload=io.BytesIO(b"stack trace"), filename="trace.txt",
                                            message=note)
    # Then the file is internal
    assert Attachment.objects.get(pk=attachment.pk).internal is True
    # And the ticket's client people neither list nor download it, nor see it in the history
    for role in ("client_user", "client_admin", "designated"):
        client = as_person(world["people"][role])
        listed = client.get(f"/api/v1/tickets/{ticket.pk}/attachments").json()
        assert attachment.pk not in [a["id"] for a in listed["items"]], role
        download = client.get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}")
        assert download.status_code == 404, role
        events = client.get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
        assert not [e for e in events if e["data"].get("attachment_id") == attachment.pk], role
    # While staff do
    assert as_person(agent).get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}").status_code == 200


def test_given_a_word_only_in_an_internal_note_when_a_client_searches_or_exports_then_the_ticket_is_not_found(
        world, as_person):
    ticket = world["tickets"]["own"]
    actions.add_message(world["people"]["agent"], ticket, body="Quixotrix is the real cause", kind=MessageKind.INTERNAL)
    for role in ("client_user", "client_admin", "designated"):
        client = as_person(world["people"][role])
        assert client.get("/api/v1/tickets/", {"q": "quixotrix"}).json()["items"] == [], role
        exported = b"".join(client.get("/api/v1/tickets/export.csv", {"q": "quixotrix"}).streaming_content)
        assert exported.decode().strip().count("\n") == 0, role  # the header only
        detail = client.get(f"/api/v1/tickets/{ticket.pk}").json()
        assert "Quixotrix" not in str(detail), role
    found = as_person(world["people"]["agent"]).get("/api/v1/tickets/", {"q": "quixotrix"}).json()["items"]
    assert [t["id"] for t in found] == [ticket.pk]


def test_given_changes_through_the_api_then_each_is_in_the_history_with_who_and_source_api(world, as_person):
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    api = as_person(agent)
    api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "severity": 2, "assignee_id": agent.pk},
              content_type="application/json")
    api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "On it", "kind": "public"},
             content_type="application/json")
    events = api.get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
    by_kind = {e["kind"]: e for e in events}
    for kind in ("ticket.severity_changed", "ticket.assignee_changed", "message.public", "ticket.status_changed"):
        assert by_kind[kind]["source"] == "api", kind
        assert by_kind[kind]["actor"] == agent.display_name, kind
        assert by_kind[kind]["created_at"], kind
    assert by_kind["ticket.severity_changed"]["data"] == {"old": 3, "new": 2}


def test_given_an_escalation_to_the_tam_with_a_reason_then_clients_do_not_read_it_in_the_history(world, as_person):
    from supportdesk.accounts.actions import assign_tam
    from supportdesk.tam.actions import escalate_to_tam

    # Given an agent who escalated a client's ticket to its TAM, with a reason meant for the TAM
    ticket = world["tickets"]["own"]
    assign_tam(None, client=world["own"], tam=world["people"]["tam"])
    escalate_to_tam(world["people"]["agent"], ticket, reason="Customer threatens to churn")
    # When the ticket's client people read its history
    for role in ("client_user", "client_admin", "designated"):
        events = as_person(world["people"][role]).get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
        # Then the reason is not there
        assert "churn" not in str(events), role
    # While staff read it
    staff = as_person(world["people"]["agent"]).get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
    assert [e["data"]["reason"] for e in staff if e["kind"] == "ticket.escalated_to_tam"] == [
        "Customer threatens to churn"]


def test_given_more_matches_at_other_clients_than_the_hit_limit_then_a_client_still_finds_its_own_ticket(
        world, as_person, monkeypatch):
    from supportdesk.factories import TicketFactory
    from supportdesk.tickets import search

    # Given a word in more of another client's tickets than the search keeps, and in one of the client's own
    monkeypatch.setattr(search, "MAX_HITS", 2)
    for _ in range(4):
        TicketFactory(requester=world["people"]["foreigner"], subject="Kerfuffle in the gateway")
    own = TicketFactory(requester=world["people"]["client_user"], subject="Kerfuffle at our site")
    # When the client user and their client admin search for it
    for role in ("client_user", "client_admin"):
        found = as_person(world["people"][role]).get("/api/v1/tickets/", {"q": "kerfuffle"}).json()
        # Then their own ticket is found, and only it
        assert [t["id"] for t in found["items"]] == [own.pk], role
    # And the requester's colleague-scoped search counts among its own tickets too
    colleague = as_person(world["people"]["colleague"]).get("/api/v1/tickets/", {"q": "kerfuffle"}).json()
    assert colleague["items"] == []


def test_given_a_ticket_closed_after_it_was_read_when_a_save_names_the_new_version_then_the_transition_is_refused(
        world):
    from supportdesk.errors import Invalid
    from supportdesk.tickets.models import Status

    # Given a ticket read by one request, then solved and closed by another agent
    agent, manager = world["people"]["agent"], world["people"]["manager"]
    read = Ticket.objects.get(pk=world["tickets"]["own"].pk)
    current = actions.update_ticket(manager, read, expected_version=read.version, status=Status.SOLVED)
    current = actions.update_ticket(manager, current, expected_version=current.version, status=Status.CLOSED)
    # When the first request saves with the version now (loaded by its caller after the close) from its older read
    with pytest.raises(Invalid) as refused:
        actions.update_ticket(agent, read, expected_version=current.version, status=Status.OPEN)
    # Then the status that may not follow closed is refused, and the ticket stays closed
    assert refused.value.code == "ticket.bad_transition"
    fresh = Ticket.objects.get(pk=read.pk)
    assert (fresh.status, fresh.version) == (Status.CLOSED, current.version)


def test_given_an_on_call_page_then_clients_do_not_read_who_was_paged_in_the_history(world, as_person):
    # Given a ticket whose opening paged the on-call engineer (the event names the staff and their addresses)
    ticket = world["tickets"]["own"]
    actions.record_event(ticket, None, "oncall.notified", "system", to=["night.engineer@vendor.example"], on_call=True)
    # When the ticket's client people read its history, then the page is not there
    for role in ("client_user", "client_admin", "designated"):
        events = as_person(world["people"][role]).get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
        assert "oncall.notified" not in [e["kind"] for e in events] and "night.engineer" not in str(events), role
    # While staff see it
    staff = as_person(world["people"]["agent"]).get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
    assert "oncall.notified" in [e["kind"] for e in staff]
