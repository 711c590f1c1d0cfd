"""R3 promises checked from outside: bad numbers refused, renamed subjects searchable, the history
append-only, API refusals naming the body's fields, and the seed's severity definitions in the console."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket, TicketEvent


@pytest.mark.parametrize("payload,field", [
    ({"subject": "s", "body": "b", "severity": True}, "severity"),
    ({"subject": "s", "body": "b", "severity": False}, "severity"),
])
def test_given_json_true_as_a_severity_when_opening_a_ticket_then_422_and_no_ticket(world, as_person, payload, field):
    before = Ticket.objects.count()
    response = as_person(world["people"]["client_user"]).post("/api/v1/tickets/", payload,
                                                               content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert Ticket.objects.count() == before


@pytest.mark.parametrize("change", [{"severity": True}, {"version": True, "severity": 2}, {"assignee_id": False}])
def test_given_json_booleans_for_numbers_when_changing_a_ticket_then_422_and_nothing_changes(world, as_person, change):
    ticket = world["tickets"]["own"]
    body = {"version": ticket.version, **change}
    response = as_person(world["people"]["agent"]).patch(f"/api/v1/tickets/{ticket.pk}", body,
                                                         content_type="application/json")
    assert response.status_code == 422, response.content
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.severity, fresh.version) == (ticket.severity, ticket.version)


def test_given_a_renamed_ticket_when_searching_words_of_its_new_subject_then_it_is_found(world, as_person):
    # Given a ticket whose subject an agent changed
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    response = as_person(agent).patch(f"/api/v1/tickets/{ticket.pk}",
                                      {"version": ticket.version, "subject": "Zanzibar ledger totals wrong"},
                                      content_type="application/json")
    assert response.status_code == 200, response.content
    # When staff and the requester search for a word of the new subject
    for person in (agent, world["people"]["client_user"]):
        found = as_person(person).get("/api/v1/tickets/", {"q": "zanzibar"}).json()
        # Then the ticket is found
        assert [t["id"] for t in found["items"]] == [ticket.pk]


def test_given_a_ticket_event_when_it_is_rewritten_or_deleted_then_it_is_refused_and_unchanged(world):
    ticket = world["tickets"]["own"]
    event = ticket.events.order_by("id").first()
    assert event is not None
    original = (event.kind, event.data, event.created_at)
    # When someone rewrites what it says, by save() or by a queryset update
    event.kind = "ticket.nothing_happened"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).update(data={"forged": True})
    with pytest.raises(PermissionError):
        event.delete()
    # Then the event still says what it said
    fresh = TicketEvent.objects.get(pk=event.pk)
    assert (fresh.kind, fresh.data, fresh.created_at) == original
    # And new events are still appended
    actions.add_message(world["people"]["agent"], ticket, body="Still writable history")
    assert ticket.events.filter(kind="message.public").exists()


def test_given_an_event_whose_actor_is_deleted_then_the_event_stays_with_no_actor(world):
    from supportdesk.factories import StaffFactory

    ticket = world["tickets"]["own"]
    passer_by = StaffFactory(staff_roles=["agent"])
    actions.add_message(passer_by, ticket, body="A note from someone who leaves", kind="internal")
    event = ticket.events.get(kind="message.internal")
    passer_by.role_grants.all().delete()
    from supportdesk.tickets.models import Message

    Message.objects.filter(author=passer_by).update(author=None)
    passer_by.delete()
    event.refresh_from_db()
    assert event.actor_id is None and event.kind == "message.internal"


def test_given_staff_opening_without_a_requester_when_calling_the_api_then_the_error_names_requester_id(
        world, as_person):
    response = as_person(world["people"]["agent"]).post("/api/v1/tickets/", {"subject": "s", "body": "b"},
                                                        content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "ticket.requester_required"
    assert "requester_id" in response.json()["error"]["fields"]


def test_given_a_staff_requester_when_opening_by_api_then_the_error_names_requester_id(world, as_person):
    response = as_person(world["people"]["agent"]).post(
        "/api/v1/tickets/", {"subject": "s", "body": "b", "requester_id": world["people"]["manager"].pk},
        content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {"requester_id": "not a user of this client"}


def test_given_a_client_user_as_assignee_when_changing_by_api_then_the_error_names_assignee_id(world, as_person):
    ticket = world["tickets"]["own"]
    response = as_person(world["people"]["agent"]).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "assignee_id": world["people"]["client_user"].pk},
        content_type="application/json")
    assert response.status_code == 422, response.content
    assert "assignee_id" in response.json()["error"]["fields"]


def test_given_an_agent_changing_severity_in_the_console_then_the_seed_definitions_are_shown(world, as_person):
    from supportdesk.catalogue.models import SeverityLevel

    ticket = world["tickets"]["own"]
    html = as_person(world["people"]["agent"]).get(f"/console/tickets/{ticket.pk}/").content.decode()
    for level in SeverityLevel.objects.all():
        assert level.definition in html


def test_given_an_agent_choosing_a_severity_in_the_console_then_it_is_saved(world, as_person):
    ticket = world["tickets"]["own"]
    response = as_person(world["people"]["agent"]).post(
        f"/console/tickets/{ticket.pk}/", {"version": ticket.version, "status": "new", "severity": "1", "assignee": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Ticket.objects.get(pk=ticket.pk).severity == 1


@pytest.mark.parametrize("method,path,status,code", [
    ("get", "/api/v1/no-such-endpoint", 404, "not_found"),
    ("get", "/api/v1/tickets/1/nothing-here", 404, "not_found"),
    ("delete", "/api/v1/tickets/{own}", 405, "method_not_allowed"),
    ("put", "/api/v1/tickets/", 405, "method_not_allowed"),
])
def test_given_an_api_url_without_that_endpoint_or_method_then_the_error_has_the_api_json_shape(
        world, as_person, method, path, status, code):
    http = as_person(world["people"]["agent"])
    response = getattr(http, method)(path.format(own=world["tickets"]["own"].pk))
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["fields"] == {}


def test_given_a_conversation_when_listing_its_messages_then_it_is_paged_and_notes_are_for_staff_only(
        world, as_person):
    # Given a ticket with a public reply and an internal note
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    actions.add_message(agent, ticket, body="We are on it")
    actions.add_message(agent, ticket, body="Staff only remark", kind="internal")
    # When staff and the requester list its messages a page at a time
    staff_page = as_person(agent).get(f"/api/v1/tickets/{ticket.pk}/messages", {"page_size": 2}).json()
    client_page = as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{ticket.pk}/messages").json()
    # Then the list is paged, and the note reaches staff only
    assert staff_page["count"] == 3 and len(staff_page["items"]) == 2
    assert [m["kind"] for m in client_page["items"]] == ["public", "public"]
    # And a ticket the person may not see answers 404
    foreign = world["tickets"]["foreign"]
    assert as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{foreign.pk}/messages").status_code == 404


def test_given_two_agents_on_one_ticket_page_when_the_second_saves_stale_fields_then_409_and_nothing_is_lost(
        world, as_person):
    # Given an agent who loaded the ticket page (version v) and a manager who changed the severity since
    ticket = world["tickets"]["own"]
    loaded = ticket.version
    actions.update_ticket(world["people"]["manager"], ticket, expected_version=loaded, severity=2)
    # When the agent saves the form loaded before
    response = as_person(world["people"]["agent"]).post(
        f"/console/tickets/{ticket.pk}/", {"version": loaded, "status": "on_hold", "severity": "1", "assignee": ""})
    # Then the page answers with a conflict that says what to do, and the manager's change stands alone
    assert response.status_code == 409
    assert "changed since you loaded it" in response.content.decode()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.severity, fresh.status, fresh.version) == (2, "new", loaded + 1)


def test_given_words_spread_over_the_subject_and_replies_when_searching_them_together_then_the_ticket_is_found(
        world, as_person):
    # Given a ticket whose subject, opening message, a reply and an internal note each hold one of the words
    requester, agent = world["people"]["client_user"], world["people"]["agent"]
    ticket = actions.open_ticket(requester, subject="Calendar sync fails", body="Outlook shows an error").ticket
    actions.add_message(agent, ticket, body="Please send the quokka logs")
    actions.add_message(agent, ticket, body="Looks like the wombat bug", kind="internal")
    # When both search for words found in different parts of the conversation
    for person in (agent, requester):
        hits = as_person(person).get("/api/v1/tickets/", {"q": "calendar quokka outlook"}).json()
        # Then the ticket is found
        assert [t["id"] for t in hits["items"]] == [ticket.pk]
    # And only staff find it by a word of the internal note among the others
    assert as_person(agent).get("/api/v1/tickets/", {"q": "calendar wombat"}).json()["count"] == 1
    assert as_person(requester).get("/api/v1/tickets/", {"q": "calendar wombat"}).json()["count"] == 0
    # And a word found nowhere in it finds nothing
    assert as_person(agent).get("/api/v1/tickets/", {"q": "calendar platypus"}).json()["count"] == 0


def test_given_a_colleagues_ticket_merged_into_mine_when_i_read_my_history_then_it_names_neither_ticket_nor_colleague(
        world, as_person):
    from supportdesk.tickets import merges

    # Given a colleague's ticket that an agent merged into a plain client user's ticket
    mine, theirs = world["tickets"]["own"], world["tickets"]["colleague"]
    merges.merge_ticket(world["people"]["agent"], theirs, mine, tell_requester=False, via="api")
    colleague_email = world["people"]["colleague"].email
    # When the plain client user (who sees only their own tickets) reads their ticket's history
    mine_events = as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{mine.pk}/events").json()["items"]
    # Then it names neither the colleague nor the colleague's ticket
    assert "ticket.merged" not in [e["kind"] for e in mine_events]
    assert colleague_email not in str(mine_events)
    # And the client admin, who sees every ticket of the client, and staff still see the merge
    for person in (world["people"]["client_admin"], world["people"]["agent"]):
        events = as_person(person).get(f"/api/v1/tickets/{mine.pk}/events").json()["items"]
        assert [e["data"]["merged"] for e in events if e["kind"] == "ticket.merged"] == [theirs.pk]
    # And a requester whose own two tickets were merged still sees it
    second = actions.open_ticket(world["people"]["client_user"], subject="Same outage again", body="Still down").ticket
    merges.merge_ticket(world["people"]["agent"], second, mine, tell_requester=False, via="api")
    mine_events = as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{mine.pk}/events").json()["items"]
    assert [e["data"]["merged"] for e in mine_events if e["kind"] == "ticket.merged"] == [second.pk]
