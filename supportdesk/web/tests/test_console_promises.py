"""Issue 8's console promises an audit found short: countdowns turn amber at each clock's own warning instant,
replies and notes post through htmx (and still without JavaScript), the TAM workspace, on-call rota and chat
console are paged, and the 11th designation is refused under the user field too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from supportdesk.accounts.designations import designate
from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.livechat.models import Conversation
from supportdesk.oncall.models import RotaShift
from supportdesk.sla.models import Clock
from supportdesk.sla.templatetags.sla_tags import countdown_class
from supportdesk.tickets.models import Ticket

MONDAY_10 = "2026-03-02T10:00:00Z"  # Monday: a severity 1 clock (Mon–Fri, 24 h) runs at once
COUNTDOWN = re.compile(r'class="countdown (\w+)"')


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def severity_1_ticket() -> tuple[Ticket, Clock]:
    client = premium_client(name="Hartley & Moss LLP")
    requester = ClientUserFactory(client=client)
    designate(None, client=client, user=requester)
    ticket = TicketFactory(requester=requester, severity=1, subject="Matter database down")
    clock = Clock.objects.get(ticket=ticket, metric="initial_response")
    assert clock.warn_at is not None and clock.due_at is not None and clock.warn_at < clock.due_at
    return ticket, clock


# ---------------------------------------------------------------------------------------------- 1. countdowns


def test_given_a_clocks_instants_when_the_class_is_chosen_then_green_until_warn_amber_to_due_red_after():
    due = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    warn = due - timedelta(minutes=15)
    assert countdown_class(due, warn, "running", warn - timedelta(seconds=1)) == "ok"
    assert countdown_class(due, warn, "running", warn) == "warn"
    assert countdown_class(due, warn, "running", due) == "warn"
    assert countdown_class(due, warn, "running", due + timedelta(seconds=1)) == "bad"
    assert countdown_class(due, warn, "breached", warn) == "bad"
    assert countdown_class(due, warn, "paused", due + timedelta(hours=1)) == "paused"
    assert countdown_class(due, warn, "met", due + timedelta(hours=1)) == "met"
    assert countdown_class(due, None, "running", due - timedelta(seconds=1)) == "ok"


@pytest.mark.django_db
def test_given_a_severity_1_clock_when_the_queue_and_ticket_are_rendered_around_its_warning_then_the_class_follows_warn_at():
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        # Given a 30-minute severity 1 clock, which warns before its due instant (not amber from its start)
        ticket, clock = severity_1_ticket()
        assert clock.warn_at > clock.started_at
        agent = signed_in(StaffFactory(staff_roles=["agent"]))
        requester = signed_in(ticket.requester)
        expected = [(clock.warn_at - timedelta(seconds=1), "ok"), (clock.warn_at, "warn"), (clock.due_at, "warn"),
                    (clock.due_at + timedelta(seconds=1), "bad")]
        for at, look in expected:
            # When the queue, the ticket and the portal page are rendered at that instant
            traveller.move_to(at)
            queue = agent.get("/console/").content.decode()
            row = queue[queue.index(f'data-ticket="{ticket.pk}"'):]
            console_page = agent.get(f"/console/tickets/{ticket.pk}/").content.decode()
            portal_page = requester.get(f"/portal/tickets/{ticket.pk}/").content.decode()
            # Then each countdown is rendered with the class of that instant, carrying the clock's warn_at
            assert COUNTDOWN.search(row).group(1) == look, (at, row[:600])
            for html in (console_page, portal_page):
                clocks = html[html.index('id="live-clocks"'):]
                assert COUNTDOWN.search(clocks).group(1) == look, at
            if look != "bad":
                assert 'data-warn="' in row[:row.index("</tr>")]


@pytest.mark.django_db
def test_given_a_clock_met_by_a_reply_when_the_ticket_is_opened_then_its_countdown_shows_met():
    with time_machine.travel(MONDAY_10, tick=False):
        ticket, _ = severity_1_ticket()
        agent = signed_in(StaffFactory(staff_roles=["agent"]))
        agent.post(f"/console/tickets/{ticket.pk}/", {"msg-kind": "public", "msg-body": "On it."})
        html = agent.get(f"/console/tickets/{ticket.pk}/").content.decode()
    clocks = html[html.index('id="live-clocks"'):]
    assert 'class="countdown met"' in clocks


# ------------------------------------------------------------------------------------- 2. replies through htmx


@pytest.mark.django_db
def test_given_a_plain_reply_post_when_sent_then_it_redirects_as_before():
    ticket = TicketFactory()
    agent = signed_in(StaffFactory(staff_roles=["agent"]))
    response = agent.post(f"/console/tickets/{ticket.pk}/", {"msg-kind": "public", "msg-body": "Plain reply"})
    assert response.status_code == 302 and response["Location"] == f"/console/tickets/{ticket.pk}/"
    assert ticket.messages.filter(body="Plain reply").exists()


@pytest.mark.django_db
def test_given_an_htmx_note_when_sent_then_the_reply_area_and_the_changed_parts_come_back_without_a_redirect():
    ticket = TicketFactory()
    agent = signed_in(StaffFactory(staff_roles=["agent"]))
    response = agent.post(f"/console/tickets/{ticket.pk}/", {"msg-kind": "internal", "msg-body": "Checked the logs"},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not the page
    assert 'id="reply-area"' in html and "Checked the logs" in html and "Internal note" in html
    # the composer is empty again and the parts selected out of band are there, the fields at the new version
    assert re.search(r'<textarea[^>]*name="msg-body"[^>]*>\s*</textarea>', html)
    for part in ('id="ticket-badges"', 'id="live-clocks"', 'id="live-history"', 'id="ticket-fields"'):
        assert part in html
    ticket.refresh_from_db()
    assert f'name="version" value="{ticket.version}"' in html
    assert ticket.messages.filter(body="Checked the logs", kind="internal").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_given_an_empty_reply_when_posted_then_the_field_error_shows_in_place(htmx):  # noqa: ANN001
    ticket = TicketFactory()
    agent = signed_in(StaffFactory(staff_roles=["agent"]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = ticket.messages.count()
    response = agent.post(f"/console/tickets/{ticket.pk}/", {"msg-kind": "public", "msg-body": ""}, **headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field-error"' in html[html.index('id="composer-fields"'):]
    assert ("<html" in html) is (not htmx)
    assert ticket.messages.count() == before


@pytest.mark.django_db
def test_given_a_stale_fields_form_when_saved_then_409_with_the_message_as_before():
    ticket = TicketFactory()
    agent = signed_in(StaffFactory(staff_roles=["agent"]))
    response = agent.post(f"/console/tickets/{ticket.pk}/", {"version": ticket.version - 1 if ticket.version > 1 else 0,
                                                             "status": "on_hold", "severity": 3, "assignee": ""})
    assert response.status_code == 409
    assert 'class="error-box"' in response.content.decode()


@pytest.mark.django_db
def test_given_the_console_ticket_page_then_the_composer_posts_through_htmx_and_still_as_a_form():
    ticket = TicketFactory()
    html = signed_in(StaffFactory(staff_roles=["agent"])).get(f"/console/tickets/{ticket.pk}/").content.decode()
    form = re.search(r'<form method="post" class="card composer" id="reply"[^>]*>', html).group(0)
    assert f'hx-post="/console/tickets/{ticket.pk}/"' in form and 'hx-target="#reply-area"' in form
    assert "hx-select-oob" in form and "htmx.min.js" in html


# -------------------------------------------------------------------------------------------------- 3. paging


@pytest.mark.django_db
def test_given_30_weekly_shifts_when_the_rota_is_opened_then_it_is_paged():
    manager = StaffFactory(staff_roles=["manager"])
    for i in range(30):
        RotaShift.objects.create(staff=manager, weekday=i % 7, start=time(i % 24, 0), end=time((i + 1) % 24, 30),
                                 created_at=timezone.now())
    http = signed_in(manager)
    first = http.get("/oncall/").content.decode()
    second = http.get("/oncall/", {"shifts_page": 2}).content.decode()
    assert "Page 1 of 2 · 30 shifts" in first and "shifts_page=2" in first
    assert "Page 2 of 2 · 30 shifts" in second
    assert "No current or upcoming overrides" in first


@pytest.mark.django_db
def test_given_no_shifts_when_the_rota_is_opened_then_a_clear_empty_state():
    html = signed_in(StaffFactory(staff_roles=["manager"])).get("/oncall/").content.decode()
    assert "No weekly shifts yet" in html and 'class="pager"' not in html


@pytest.mark.django_db
def test_given_11_tam_clients_when_the_workspace_is_opened_then_it_is_paged_by_10():
    for i in range(11):
        premium_client(name=f"Firm {i:02d}")
    http = signed_in(StaffFactory(staff_roles=["manager"]))
    first = http.get("/tam/").content.decode()
    second = http.get("/tam/", {"page": 2}).content.decode()
    assert "Page 1 of 2 · 11 clients" in first and "Firm 09" in first and "Firm 10" not in first
    assert "Firm 10" in second


@pytest.mark.django_db
def test_given_no_tam_clients_when_the_workspace_is_opened_then_a_clear_empty_state():
    html = signed_in(StaffFactory(staff_roles=["tam"])).get("/tam/").content.decode()
    assert "No clients in your workspace yet" in html and 'class="pager"' not in html


@pytest.mark.django_db
def test_given_30_waiting_chats_when_the_chat_console_is_opened_then_the_list_is_paged():
    client = premium_client()
    person = ClientUserFactory(client=client)
    for i in range(30):
        Conversation.objects.create(client=client, requester=person, subject=f"Chat {i:02d}", start_key=f"k{i}",
                                    created_at=timezone.now() + timedelta(seconds=i))
    http = signed_in(StaffFactory(staff_roles=["agent"]))
    first = http.get("/chat/").content.decode()
    second = http.get("/chat/", {"page": 2}).content.decode()
    assert "Page 1 of 2 · 30 waiting" in first and "Chat 24" in first and "Chat 25" not in first
    assert "Chat 29" in second and 'id="chat-waiting-pager"' in second


@pytest.mark.django_db
def test_given_no_waiting_chats_when_the_chat_console_is_opened_then_a_clear_empty_state():
    html = signed_in(StaffFactory(staff_roles=["agent"])).get("/chat/").content.decode()
    assert "Nobody is waiting" in html and 'class="pager"' not in html


# ------------------------------------------------------------------------------------ 4. the 11th designation


@pytest.mark.django_db
def test_given_ten_designated_when_the_admin_designates_an_11th_then_the_limit_shows_on_top_and_under_the_user_field():
    client = premium_client(name="Castellan Legal")
    admin = ClientUserFactory(client=client, client_role="client_admin")
    for _ in range(10):
        designate(None, client=client, user=ClientUserFactory(client=client))
    eleventh = ClientUserFactory(client=client)
    html = signed_in(admin).post("/portal/designated/", {"user": eleventh.pk}).content.decode()
    top = html[html.index('class="error-box"'):]
    assert "already has 10 of 10 designated users" in top[:600]
    field = html[html.index('data-field="user"'):]
    field = field[:field.index("</div>")]
    assert 'class="field-error"' in field and "already has 10 of 10 designated users" in field


@pytest.mark.django_db
def test_given_a_mistyped_queue_link_when_the_console_opens_then_it_says_so_and_shows_every_queue():
    # Given an agent and an open ticket
    ticket = TicketFactory(subject="Calendar sync fails")
    http = signed_in(StaffFactory(staff_roles=["agent"]))
    # When the console queue is opened with a queue that does not exist
    page = http.get("/console/", {"queue": "frob"})
    # Then the page says so and shows every queue's tickets, not an empty "inbox zero"
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is no &#x27;frob&#x27; queue; showing every queue." in text
    assert ticket.subject in text
