"""Every ticket endpoint x every role x own/colleague/foreign ticket: one policy decides, and anything a
person may not see answers 404 exactly like a missing id."""

from __future__ import annotations

import io

import pytest

from supportdesk import policy
from supportdesk.tickets import actions
from supportdesk.tickets.attachments import add_attachment

ROLES = ["agent", "tam", "manager", "billing", "sysadmin", "client_admin", "designated", "client_user", None]
STAFF_WORKERS = {"agent", "tam", "manager", "sysadmin"}


def may_see(role: str | None, which: str) -> bool:
    if role in STAFF_WORKERS:
        return True
    if role in ("client_admin", "designated"):
        return which in ("own", "colleague")
    if role == "client_user":
        return which == "own"
    return False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "colleague", "foreign"])
@pytest.mark.parametrize("endpoint", ["detail", "events", "messages", "attachments", "attachment", "patch"])
def test_ticket_endpoints_follow_the_policy(world, as_person, role, which, endpoint):
    # Given a ticket with an attachment, and a person in a role
    ticket = world["tickets"][which]
    attachment = add_attachment(None, ticket, upload=io.BytesIO(b"log line"), filename="log.txt")
    person = world["people"][role] if role else None
    http = as_person(person)
    base = f"/api/v1/tickets/{ticket.pk}"
    # When they call the endpoint
    if endpoint == "detail":
        response = http.get(base)
    elif endpoint == "events":
        response = http.get(f"{base}/events")
    elif endpoint == "messages":
        response = http.post(f"{base}/messages", {"body": "hello", "kind": "public"}, content_type="application/json")
    elif endpoint == "attachments":
        response = http.get(f"{base}/attachments")
    elif endpoint == "attachment":
        response = http.get(f"{base}/attachments/{attachment.pk}")
    else:
        response = http.patch(base, {"version": ticket.version, "severity": 2}, content_type="application/json")
    # Then the policy decides: 401 anonymous, 404 when not visible, success when visible
    if role is None:
        assert response.status_code == 401
    elif not may_see(role, which):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    elif endpoint == "patch" and role not in STAFF_WORKERS:
        assert response.status_code == 403  # visible, but clients cannot change severity
    else:
        assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("role", [r for r in ROLES if r])
def test_a_scope_covers_in_memory_exactly_the_tickets_the_visibility_query_returns(world, role):
    person = world["people"][role]
    scope = policy.ticket_scope(person)
    for which, ticket in world["tickets"].items():
        assert scope.covers(ticket) == policy.visible_tickets(person).filter(pk=ticket.pk).exists(), which
        assert scope.covers(ticket) == may_see(role, which), which


@pytest.mark.parametrize("role", ROLES)
def test_ticket_list_and_search_show_only_visible_tickets(world, as_person, role):
    person = world["people"][role] if role else None
    http = as_person(person)
    listed = http.get("/api/v1/tickets/")
    searched = http.get("/api/v1/tickets/", {"q": "ticket"})
    if role is None:
        assert listed.status_code == searched.status_code == 401
        return
    expected = {world["tickets"][w].pk for w in ("own", "colleague", "foreign") if may_see(role, w)}
    assert {t["id"] for t in listed.json()["items"]} == expected
    assert {t["id"] for t in searched.json()["items"]} == expected


def test_missing_ticket_answers_like_a_foreign_one(world, as_person):
    http = as_person(world["people"]["client_user"])
    foreign = http.get(f"/api/v1/tickets/{world['tickets']['foreign'].pk}")
    missing = http.get("/api/v1/tickets/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_internal_notes_and_their_attachments_stay_with_staff(world, as_person):
    ticket = world["tickets"]["own"]
    agent = world["people"]["agent"]
    actions.add_message(agent, ticket, body="Internal: customer is on an old build", kind="internal")
    note_file = add_attachment(agent, ticket, upload=io.BytesIO(b"secret"), filename="dump.txt", internal=True)
    client_view = as_person(world["people"]["client_user"])
    bodies = [m["body"] for m in client_view.get(f"/api/v1/tickets/{ticket.pk}").json()["messages"]]
    assert not any("Internal" in b for b in bodies)
    assert client_view.get(f"/api/v1/tickets/{ticket.pk}/attachments/{note_file.pk}").status_code == 404
    assert client_view.get("/api/v1/tickets/", {"q": "old build"}).json()["count"] == 0
    staff_view = as_person(agent)
    assert staff_view.get("/api/v1/tickets/", {"q": "old build"}).json()["count"] == 1


@pytest.mark.parametrize("role,status", [("client_admin", 200), ("client_user", 404), ("agent", 200),
                                         ("billing", 200), ("designated", 404)])
def test_contracts_and_entitlements_by_role(world, as_person, role, status):
    http = as_person(world["people"][role])
    response = http.get(f"/api/v1/contracts/clients/{world['own'].pk}/entitlements", {"on": "2026-03-14"})
    assert response.status_code == status
    if role == "client_admin":
        foreign = http.get(f"/api/v1/contracts/clients/{world['other'].pk}/entitlements")
        assert foreign.status_code == 404


@pytest.mark.parametrize("role,status", [("manager", 201), ("billing", 201), ("sysadmin", 201), ("agent", 403),
                                         ("client_admin", 403)])
def test_only_commercial_roles_create_clients(world, as_person, role, status):
    http = as_person(world["people"][role])
    response = http.post("/api/v1/clients/", {"name": f"New Firm by {role}"}, content_type="application/json")
    assert response.status_code == status
