"""/console/macros/: staff workers list (a page at a time), write, change and archive; errors show in place."""

from __future__ import annotations

import re

from supportdesk.macros.models import SavedReply

from .factories import SavedReplyFactory, SharedReplyFactory

PAGE = "/console/macros/"


def new_reply(**fields: str) -> dict[str, str]:
    return {"title": "Asking for logs", "body": "Please send the log, {{requester_first_name}}.", "kind": "public",
            "status": "waiting", **fields}


def test_the_staff_navigation_links_to_the_page(desk, as_person):
    html = as_person(desk.agent).get("/console/").content.decode()
    assert f'href="{PAGE}"' in html


def test_an_agent_writes_a_personal_reply_and_sees_no_shared_option(desk, as_person):
    http = as_person(desk.agent)
    assert 'name="shared"' not in http.get(PAGE).content.decode()
    assert http.post(PAGE, new_reply(shared="on")).status_code == 302  # a forged "shared" is not a field here
    reply = SavedReply.objects.get(title="Asking for logs")
    assert reply.owner == desk.agent and reply.status == "waiting"
    assert "Asking for logs" in http.get(PAGE).content.decode()


def test_a_manager_writes_a_shared_reply(desk, as_person):
    http = as_person(desk.manager)
    assert 'name="shared"' in http.get(PAGE).content.decode()
    http.post(PAGE, new_reply(shared="on"))
    assert SavedReply.objects.get(title="Asking for logs").shared


def test_an_unknown_placeholder_and_a_missing_title_show_in_place(desk, as_person):
    html = as_person(desk.agent).post(PAGE, new_reply(title="", body="Dear {{customer}}")).content.decode()
    assert re.search(r'data-field="title">.*?field-error', html, re.S)
    html = as_person(desk.agent).post(PAGE, new_reply(body="Dear {{customer}}")).content.decode()
    assert re.search(r'data-field="body">.*?Unknown placeholder \{\{customer\}\}', html, re.S)
    assert not SavedReply.objects.exists()


def test_the_list_pages_through_replies_with_the_one_pager(desk, as_person):
    for n in range(26):
        SavedReplyFactory(actor=desk.agent, title=f"Reply {n:02d}")
    http = as_person(desk.agent)
    first = http.get(PAGE).content.decode()
    second = http.get(PAGE, {"page": 2}).content.decode()
    assert "Page 1 of 2 · 26 replies" in first and 'href="?page=2"' in first
    assert "Reply 24" in first and "Reply 25" not in first and "Reply 25" in second


def test_an_agent_changes_and_archives_their_own_reply(desk, as_person):
    reply = SavedReplyFactory(actor=desk.agent, title="Old title")
    http = as_person(desk.agent)
    assert http.post(f"{PAGE}{reply.pk}/", new_reply(title="New title", status="")).status_code == 302
    reply.refresh_from_db()
    assert reply.title == "New title" and reply.status == ""
    assert http.post(f"{PAGE}{reply.pk}/archive/").status_code == 302
    reply.refresh_from_db()
    assert reply.archived and "New title" not in http.get(PAGE).content.decode()


def test_an_agent_reads_a_shared_reply_but_cannot_change_or_archive_it(desk, as_person):
    reply = SharedReplyFactory(title="For everyone", body="Shared <words>")
    http = as_person(desk.agent)
    listed = http.get(PAGE).content.decode()
    assert "For everyone" in listed and f'action="{PAGE}{reply.pk}/archive/"' not in listed
    page = http.get(f"{PAGE}{reply.pk}/").content.decode()
    assert "Shared &lt;words&gt;" in page and "<form" not in page.split('id="main"')[1].split("</main>")[0]
    assert http.post(f"{PAGE}{reply.pk}/", new_reply()).status_code == 403
    assert http.post(f"{PAGE}{reply.pk}/archive/").status_code == 403
    reply.refresh_from_db()
    assert reply.title == "For everyone" and not reply.archived


def test_another_agents_reply_is_404_and_clients_go_to_their_portal(desk, as_person):
    theirs = SavedReplyFactory(actor=desk.other_agent)
    http = as_person(desk.agent)
    assert http.get(f"{PAGE}{theirs.pk}/").status_code == 404
    assert http.post(f"{PAGE}{theirs.pk}/archive/").status_code == 404
    assert as_person(desk.requester).get(PAGE).status_code == 302
    assert as_person(desk.billing).get(PAGE).status_code == 404
