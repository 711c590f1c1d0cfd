from __future__ import annotations

import pytest

from supportdesk.tickets.models import Ticket


def test_stale_save_gets_409_and_changes_nothing(world, as_person):
    # Given two agents who loaded the same ticket version
    ticket = world["tickets"]["own"]
    first, second = as_person(world["people"]["agent"]), as_person(world["people"]["manager"])
    loaded = first.get(f"/api/v1/tickets/{ticket.pk}").json()["version"]
    # When the first saves, then the second saves with the same (now stale) version
    ok = first.patch(f"/api/v1/tickets/{ticket.pk}", {"version": loaded, "severity": 2}, content_type="application/json")
    stale = second.patch(f"/api/v1/tickets/{ticket.pk}", {"version": loaded, "severity": 1, "status": "on_hold"},
                         content_type="application/json")
    # Then the second gets a conflict and the first change stands alone
    assert ok.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "ticket.stale_version"
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.severity, fresh.status) == (2, "new")
    assert fresh.version == loaded + 1
    kinds = list(fresh.events.values_list("kind", flat=True))
    assert kinds.count("ticket.severity_changed") == 1


def test_every_write_bumps_the_version_and_records_an_event(world):
    from supportdesk.tickets import actions

    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    before_events = ticket.events.count()
    actions.add_message(agent, ticket, body="Looking at it")
    ticket.refresh_from_db()
    assert ticket.version == 2
    actions.update_ticket(agent, ticket, expected_version=2, assignee=agent.pk)
    ticket.refresh_from_db()
    assert ticket.version == 3
    kinds = list(ticket.events.values_list("kind", flat=True))[before_events:]
    assert kinds == ["message.public", "ticket.status_changed", "ticket.assignee_changed"]


def _post(http, body, key):  # noqa: ANN001, ANN202
    return http.post("/api/v1/tickets/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_idempotency_key_same_body_same_ticket_other_body_422(world, as_person):
    http = as_person(world["people"]["client_user"])
    body = {"subject": "Printer queue stuck", "body": "Nothing prints", "severity": 3}
    first = _post(http, body, "k-123")
    again = _post(http, body, "k-123")
    other = _post(http, {**body, "body": "Different"}, "k-123")
    assert first.status_code == 201
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "ticket.idempotency_key_reused"
    assert Ticket.objects.filter(subject="Printer queue stuck").count() == 1


def test_idempotency_keys_are_per_requester(world, as_person):
    body = {"subject": "Same key, two people", "body": "x", "severity": 3}
    a = _post(as_person(world["people"]["client_user"]), body, "shared")
    b = _post(as_person(world["people"]["colleague"]), body, "shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.parametrize("payload,field", [
    ({"subject": "", "body": "x", "severity": 3}, "subject"),
    ({"subject": "x", "body": "", "severity": 3}, "body"),
    ({"subject": "x", "body": "y", "severity": 4}, "severity"),
    ({"subject": "x", "body": "y", "severity": "high"}, "severity"),
    ({"subject": "x" * 201, "body": "y", "severity": 1}, "subject"),
])
def test_bad_ticket_input_gets_a_clear_error_with_the_field(world, as_person, payload, field):
    response = as_person(world["people"]["client_user"]).post("/api/v1/tickets/", payload,
                                                               content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert field in error["fields"]
    assert error["message"]


def test_a_client_cannot_reply_to_a_closed_ticket_but_is_told_to_open_a_new_one(world, as_person):
    from supportdesk.tickets import actions

    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    actions.update_ticket(agent, ticket, expected_version=ticket.version, status="closed")
    response = as_person(world["people"]["client_user"]).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "still broken"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "ticket.closed"
