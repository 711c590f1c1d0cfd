"""/api/v1/macros: create, list (paginated), read, change, archive and render; refusals name the fields."""

from __future__ import annotations

import pytest

from supportdesk.tickets.actions import update_ticket
from supportdesk.tickets.models import Message

from .factories import SavedReplyFactory, SharedReplyFactory

URL = "/api/v1/macros"


def post(http, url, data):  # noqa: ANN001, ANN201
    return http.post(url, data, content_type="application/json")


def patch(http, url, data):  # noqa: ANN001, ANN201
    return http.patch(url, data, content_type="application/json")


def test_an_agent_writes_lists_reads_changes_renders_and_archives_a_reply(desk, as_person):
    http = as_person(desk.agent)
    created = post(http, URL, {"title": "Asking for logs", "kind": "internal", "status": "waiting",
                               "body": "Logs for #{{ticket_number}}, please, {{requester_first_name}}."})
    assert created.status_code == 201, created.content
    reply = created.json()
    assert reply["shared"] is False and reply["owner_id"] == desk.agent.pk and reply["status"] == "waiting"
    url = f"{URL}/{reply['id']}"
    listed = http.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == reply["id"]
    assert http.get(url).json()["title"] == "Asking for logs"
    changed = patch(http, url, {"title": "Asking for the log", "status": None})
    assert changed.status_code == 200 and changed.json()["status"] is None
    assert changed.json()["body"] == reply["body"]  # left out: kept
    rendered = http.get(f"{url}/render", {"ticket_id": desk.ticket.pk}).json()
    assert rendered == {"body": f"Logs for #{desk.ticket.pk}, please, Dana.", "kind": "internal", "status": None}
    assert not Message.objects.filter(ticket=desk.ticket, author=desk.agent).exists()  # rendering sends nothing
    archived = post(http, f"{url}/archive", {})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert http.get(URL).json()["count"] == 0
    assert http.get(URL, {"include_archived": True}).json()["count"] == 1
    assert http.get(f"{url}/render", {"ticket_id": desk.ticket.pk}).status_code == 404  # no longer offered


def test_render_offers_the_status_only_when_the_ticket_may_move_to_it(desk, as_person):
    http = as_person(desk.agent)
    solving = SavedReplyFactory(actor=desk.agent, status="solved")
    reopening = SavedReplyFactory(actor=desk.agent, status="open")
    assert http.get(f"{URL}/{solving.pk}/render", {"ticket_id": desk.ticket.pk}).json()["status"] == "solved"
    desk.ticket.refresh_from_db()
    update_ticket(desk.agent, desk.ticket, expected_version=desk.ticket.version, status="closed")
    assert http.get(f"{URL}/{reopening.pk}/render", {"ticket_id": desk.ticket.pk}).json()["status"] is None


def test_list_pages_through_50_at_a_time(desk, as_person):
    for n in range(51):
        SavedReplyFactory(actor=desk.agent, title=f"Reply {n:02d}")
    http = as_person(desk.agent)
    first, second = http.get(URL).json(), http.get(URL, {"page": 2}).json()
    assert first["count"] == 51 and len(first["items"]) == 50 and len(second["items"]) == 1


def test_an_unknown_placeholder_is_refused_with_422_naming_it(desk, as_person):
    refused = post(as_person(desk.agent), URL, {"title": "Typo", "body": "Dear {{customer}}"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "macros.unknown_placeholder" and "{{customer}}" in error["fields"]["body"]
    assert error["details"]["unknown"] == ["customer"] and "{{requester_name}}" in error["details"]["known"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": " ", "body": "Hello"}, "title"),
    ({"title": "x" * 121, "body": "Hello"}, "title"),
    ({"title": "Hi", "body": ""}, "body"),
    ({"title": "Hi", "body": "Hello", "kind": "call"}, "kind"),
    ({"title": "Hi", "body": "Hello", "status": "new"}, "status"),
])
def test_invalid_fields_are_refused_with_422_naming_the_field(desk, as_person, payload, field):
    refused = post(as_person(desk.agent), URL, payload)
    assert refused.status_code == 422 and field in refused.json()["error"]["fields"]


def test_patch_refuses_null_title_and_a_duplicate_title(desk, as_person):
    http = as_person(desk.agent)
    SavedReplyFactory(actor=desk.agent, title="Taken")
    reply = SavedReplyFactory(actor=desk.agent, title="Mine")
    nulled = patch(http, f"{URL}/{reply.pk}", {"title": None})
    assert nulled.status_code == 422 and nulled.json()["error"]["fields"] == {"title": "cannot be null"}
    duplicate = patch(http, f"{URL}/{reply.pk}", {"title": "taken"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["fields"] == {"title": "already used"}


def test_agents_may_not_write_or_change_shared_replies_managers_may(desk, as_person):
    agent, manager = as_person(desk.agent), as_person(desk.manager)
    assert post(agent, URL, {"title": "For all", "body": "Hello", "shared": True}).status_code == 403
    created = post(manager, URL, {"title": "For all", "body": "Hello", "shared": True})
    assert created.status_code == 201 and created.json()["shared"] is True and created.json()["owner_id"] is None
    url = f"{URL}/{created.json()['id']}"
    assert agent.get(url).status_code == 200  # agents use it...
    assert patch(agent, url, {"body": "Changed"}).status_code == 403  # ...but do not change it
    assert post(agent, f"{url}/archive", {}).status_code == 403
    assert patch(manager, url, {"body": "Changed"}).json()["body"] == "Changed"


def test_another_agents_personal_reply_answers_like_a_missing_one(desk, as_person):
    theirs = SavedReplyFactory(actor=desk.other_agent)
    http = as_person(desk.agent)
    missing = http.get(f"{URL}/999999").json()
    for response in (http.get(f"{URL}/{theirs.pk}"), patch(http, f"{URL}/{theirs.pk}", {"body": "x"}),
                     post(http, f"{URL}/{theirs.pk}/archive", {}),
                     http.get(f"{URL}/{theirs.pk}/render", {"ticket_id": desk.ticket.pk})):
        assert response.status_code == 404 and response.json() == missing
    assert http.get(URL).json()["count"] == 0


@pytest.mark.parametrize("who", ["requester", "billing"])
def test_clients_and_non_working_staff_get_404_on_reads_and_403_on_writes(desk, as_person, who):
    shared = SharedReplyFactory()
    http = as_person(getattr(desk, who))
    assert http.get(URL).status_code == 404
    assert http.get(f"{URL}/{shared.pk}").status_code == 404
    assert http.get(f"{URL}/{shared.pk}/render", {"ticket_id": desk.ticket.pk}).status_code == 404
    assert patch(http, f"{URL}/{shared.pk}", {"body": "x"}).status_code == 404
    assert post(http, f"{URL}/{shared.pk}/archive", {}).status_code == 404
    assert post(http, URL, {"title": "Mine", "body": "Hello"}).status_code == 403


def test_anonymous_gets_401(db, client):
    assert client.get(URL).status_code == 401
