"""The console composer: a saved reply fills it through htmx or the no-JS Insert button, stays text (escaped),
and its "then set status" checkbox sets the status with the reply (or neither happens)."""

from __future__ import annotations

import re

from supportdesk.factories import ClientUserFactory, TicketFactory
from supportdesk.macros import actions
from supportdesk.tickets.actions import update_ticket
from supportdesk.tickets.models import Message

from .factories import SavedReplyFactory, SharedReplyFactory


def ticket_page(desk) -> str:  # noqa: ANN001
    return f"/console/tickets/{desk.ticket.pk}/"


def fragment_url(desk) -> str:  # noqa: ANN001
    return f"/console/tickets/{desk.ticket.pk}/saved-reply/"


def textarea(html: str) -> str:
    return re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)  # type: ignore[union-attr]


def test_the_picker_offers_shared_replies_and_ones_own_only_not_archived(desk, as_person):
    SharedReplyFactory(title="Solved, please confirm")
    SavedReplyFactory(actor=desk.agent, title="My own words")
    SavedReplyFactory(actor=desk.other_agent, title="Jordan's words")
    retired = SharedReplyFactory(title="Retired reply")
    actions.archive_reply(desk.manager, retired)
    html = as_person(desk.agent).get(ticket_page(desk)).content.decode()
    picker = html[html.index('class="saved-reply'):html.index('id="composer-fields"')]
    assert "Solved, please confirm" in picker and "My own words" in picker
    assert "Jordan's words" not in html and "Retired reply" not in html
    assert f'hx-get="/console/tickets/{desk.ticket.pk}/saved-reply/"' in picker
    assert 'hx-target="#composer-fields"' in picker and 'name="saved-reply-insert"' in picker


def test_htmx_fills_the_composer_with_the_rendered_text_kind_and_status_checkbox(desk, as_person):
    reply = SavedReplyFactory(actor=desk.agent, kind="internal", status="on_hold",
                              body="Parked #{{ticket_number}} for {{client_name}}.")
    response = as_person(desk.agent).get(fragment_url(desk), {"saved_reply": reply.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert textarea(html).strip() == f"Parked #{desk.ticket.pk} for Hartley &amp; Moss LLP."
    assert re.search(r'<input[^>]*value="internal"[^>]*checked', html)
    assert re.search(r'<input type="checkbox"[^>]*name="msg-then_status" value="on_hold" checked', html)
    assert "then set status to On hold" in html
    assert not Message.objects.filter(ticket=desk.ticket, author=desk.agent).exists()


def test_htmx_with_no_reply_chosen_swaps_nothing_and_an_invisible_one_is_404(desk, as_person):
    http = as_person(desk.agent)
    assert http.get(fragment_url(desk), {"saved_reply": ""}).status_code == 204
    theirs = SavedReplyFactory(actor=desk.other_agent)
    assert http.get(fragment_url(desk), {"saved_reply": theirs.pk}).status_code == 404


def test_html_in_a_reply_or_in_a_name_stays_text_in_the_page(desk, as_person):
    requester = ClientUserFactory(client=desk.requester.client, full_name='<img src=x onerror="alert(1)">')
    ticket = TicketFactory(requester=requester, subject="<b>bold</b>")
    reply = SavedReplyFactory(actor=desk.agent, body="<script>alert('x')</script> {{requester_name}} {{ticket_subject}}")
    http = as_person(desk.agent)
    fragment = http.get(f"/console/tickets/{ticket.pk}/saved-reply/", {"saved_reply": reply.pk}).content.decode()
    page = http.post(f"/console/tickets/{ticket.pk}/", {"saved_reply": reply.pk, "saved-reply-insert": "1",
                                                         "msg-body": "", "msg-kind": "public"}).content.decode()
    for html in (fragment, textarea(page)):
        assert "<script>" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;" in html and "&lt;img src=x" in html and "&lt;b&gt;bold" in html


def test_the_no_js_insert_button_renders_the_page_with_the_composer_filled_and_sends_nothing(desk, as_person):
    reply = SharedReplyFactory(title="Solved, please confirm", status="solved",
                               body="Hello {{requester_first_name}}, #{{ticket_number}} is solved.")
    response = as_person(desk.agent).post(ticket_page(desk), {
        "saved_reply": reply.pk, "saved-reply-insert": "1", "msg-body": "draft", "msg-kind": "public"})
    html = response.content.decode()
    assert response.status_code == 200
    assert textarea(html).strip() == f"Hello Dana, #{desk.ticket.pk} is solved."
    assert re.search(rf'<option value="{reply.pk}" selected>', html)
    assert 'name="msg-then_status" value="solved" checked' in html
    assert not Message.objects.filter(ticket=desk.ticket, author=desk.agent).exists()


def test_insert_without_a_choice_keeps_what_the_agent_typed_and_says_why(desk, as_person):
    html = as_person(desk.agent).post(ticket_page(desk), {
        "saved_reply": "", "saved-reply-insert": "1", "msg-body": "My own draft", "msg-kind": "internal"}
    ).content.decode()
    assert "Choose a saved reply to insert." in html and textarea(html).strip() == "My own draft"


def test_sending_with_the_status_checkbox_sends_the_reply_and_sets_the_status(desk, as_person):
    response = as_person(desk.agent).post(ticket_page(desk), {
        "msg-body": "Solved: the index was rebuilt.", "msg-kind": "public", "msg-then_status": "solved"})
    assert response.status_code == 302
    desk.ticket.refresh_from_db()
    assert desk.ticket.status == "solved"
    assert desk.ticket.messages.filter(author=desk.agent, body="Solved: the index was rebuilt.").exists()
    kinds = list(desk.ticket.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["message.public", "ticket.status_changed", "ticket.status_changed"]  # new→open, →solved


def test_sending_without_the_checkbox_leaves_the_status_to_the_reply_alone(desk, as_person):
    as_person(desk.agent).post(ticket_page(desk), {"msg-body": "Looking into it.", "msg-kind": "public"})
    desk.ticket.refresh_from_db()
    assert desk.ticket.status == "open"  # a first staff reply opens a new ticket, nothing more


def test_a_status_the_ticket_cannot_take_refuses_in_place_and_sends_nothing(desk, as_person):
    update_ticket(desk.agent, desk.ticket, expected_version=desk.ticket.version, status="solved")
    desk.ticket.refresh_from_db()
    response = as_person(desk.agent).post(ticket_page(desk), {
        "msg-body": "Parking this.", "msg-kind": "public", "msg-then_status": "on_hold"})
    assert response.status_code == 200 and "cannot become on hold" in response.content.decode()
    assert not desk.ticket.messages.filter(body="Parking this.").exists()  # the reply went back with the status
    desk.ticket.refresh_from_db()
    assert desk.ticket.status == "solved"


def test_clients_never_reach_the_fill_in_endpoint(desk, as_person):
    reply = SharedReplyFactory()
    response = as_person(desk.requester).get(fragment_url(desk), {"saved_reply": reply.pk})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert as_person(desk.billing).get(fragment_url(desk), {"saved_reply": reply.pk}).status_code == 404
