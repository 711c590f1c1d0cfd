"""Server-rendered pages: what an agent and a client see, errors in place, no external assets."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from supportdesk.accounts.actions import assign_tam
from supportdesk.accounts.designations import designate
from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory, premium_client


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


@pytest.fixture
def premium_ticket(db):  # noqa: ANN001, ANN201
    client = premium_client(name="Hartley & Moss LLP")
    tam = StaffFactory(staff_roles=["tam"], full_name="Taylor TAM")
    assign_tam(None, client=client, tam=tam)
    requester = ClientUserFactory(client=client, full_name="Dana Designated")
    designate(None, client=client, user=requester)
    return TicketFactory(requester=requester, subject="Matter database down", severity=1)


def test_ticket_view_shows_plan_designated_status_tam_objective_and_panels_at_a_glance(premium_ticket):
    html = signed_in(StaffFactory()).get(f"/console/tickets/{premium_ticket.pk}/").content.decode()
    glance = html[html.index('class="card glance"'):html.index("sla-clocks")]
    assert "premium" in glance and "designated" in glance and "Taylor TAM" in glance
    assert "30 min (Mon–Fri, 24 h) for S1" in glance
    assert 'class="card sla-clocks"' in html and 'class="card tam-panel"' in html
    assert 'id="reply"' in html and 'value="internal"' in html


def test_queue_rows_carry_a_countdown_cell_and_the_priority_ticket_first(premium_ticket):
    TicketFactory(subject="Standard question")
    html = signed_in(StaffFactory()).get("/console/").content.decode()
    assert html.index("Matter database down") < html.index("Standard question")
    assert html.count('class="sla-cell"') == 2 and 'hx-trigger="every 30s"' in html


def test_queue_htmx_refresh_returns_only_the_rows(premium_ticket):
    rows = signed_in(StaffFactory()).get("/console/", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in rows and "<html" not in rows


def test_empty_queue_says_so(db):
    html = signed_in(StaffFactory()).get("/console/").content.decode()
    assert "Inbox zero" in html


def test_portal_new_ticket_shows_definitions_objectives_and_errors_in_place(premium_ticket):
    http = signed_in(premium_ticket.requester)
    html = http.get("/portal/tickets/new/").content.decode()
    assert "Initial response objective: 30 min" in html and "Priority queue" in html
    refused = http.post("/portal/tickets/new/", {"subject": "", "severity": "1", "body": ""}).content.decode()
    assert re.search(r'data-field="subject">.*?Give the ticket a subject', refused, re.S)
    assert re.search(r'data-field="body">.*?Describe the problem', refused, re.S)


def test_empty_reply_shows_the_error_on_the_message(premium_ticket):
    html = signed_in(StaffFactory()).post(f"/console/tickets/{premium_ticket.pk}/",
                                          {"msg-body": "", "msg-kind": "public"}).content.decode()
    assert "Write a message before sending." in html


def test_pages_use_no_external_fonts_scripts_or_styles(premium_ticket):
    for url, user in [("/console/", StaffFactory()), ("/portal/tickets/new/", premium_ticket.requester),
                      ("/help/", None)]:
        http = signed_in(user) if user else HttpClient()
        html = http.get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert 'class="skip" href="#main"' in html and 'id="shortcuts"' in html


def test_page_frame_does_not_overwrite_a_pages_own_context_variables(premium_ticket):
    # The frame's active-nav variable once shadowed the designations page's `current` list.
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/portal/designated/")
    request.user = premium_ticket.requester
    html = Template('{% extends "web/base.html" %}{% block content %}[{{ current|length }}]{% endblock %}').render(
        Context({"request": request, "user": request.user, "current": [1, 2, 3],
                 "nav": [("Designated users", "/portal/designated/")]}))
    assert "[3]" in html and 'aria-current="page">Designated users' in html


@pytest.mark.django_db
def test_a_clients_people_are_listed_a_page_at_a_time_keeping_the_date_asked(db):
    from supportdesk.accounts.models import User
    from supportdesk.factories import ClientFactory

    client = ClientFactory(name="Big Firm")
    User.objects.bulk_create([User(email=f"p{i:03d}@bigfirm.example", username=f"p{i:03d}@bigfirm.example",
                                   client=client, client_role="client_user")
                              for i in range(120)])
    http = signed_in(StaffFactory(staff_roles=["manager"]))
    first = http.get(f"/console/clients/{client.pk}/", {"on": "2026-03-14"}).content.decode()
    third = http.get(f"/console/clients/{client.pk}/", {"on": "2026-03-14", "people_page": 3}).content.decode()
    assert "p000@bigfirm.example" in first and "p050@bigfirm.example" not in first
    assert "Page 1 of 3 · 120 people" in first and "?on=2026-03-14&amp;people_page=2" in first
    assert "p119@bigfirm.example" in third and "p000@bigfirm.example" not in third


@pytest.mark.django_db
def test_an_entitlement_date_that_is_not_a_date_is_said_in_place_not_silently_replaced(db):
    from supportdesk.factories import ClientFactory

    client = ClientFactory(name="Dated Firm")
    http = signed_in(StaffFactory(staff_roles=["agent"]))
    page = http.get(f"/console/clients/{client.pk}/", {"on": "2026-02-30"})
    assert page.status_code == 200
    assert "&#x27;2026-02-30&#x27; is not a date (YYYY-MM-DD); showing today." in page.content.decode()
    assert "is not a date" not in http.get(f"/console/clients/{client.pk}/", {"on": "2026-02-28"}).content.decode()


def test_the_mine_and_unassigned_tabs_narrow_the_queue(db):
    from supportdesk.tickets import actions as ticket_actions

    agent, colleague = StaffFactory(), StaffFactory()
    mine = TicketFactory(subject="Assigned to me")
    theirs = TicketFactory(subject="Assigned to a colleague")
    TicketFactory(subject="Nobody has this one")
    ticket_actions.update_ticket(agent, mine, expected_version=mine.version, assignee=agent.pk)
    ticket_actions.update_ticket(agent, theirs, expected_version=theirs.version, assignee=colleague.pk)
    http = signed_in(agent)
    html = http.get("/console/", {"who": "mine"}).content.decode()
    assert "Assigned to me" in html and "Assigned to a colleague" not in html and "Nobody has this one" not in html
    html = http.get("/console/", {"who": "unassigned"}).content.decode()
    assert "Nobody has this one" in html and "Assigned to me" not in html
    assert 'hx-get="/console/?who=unassigned&amp;page=1"' in html  # the live refresh keeps the tab
    api = http.get("/api/v1/tickets/", {"open_only": "true", "assignee": "me"}).json()
    assert [t["subject"] for t in api["items"]] == ["Assigned to me"]
    api = http.get("/api/v1/tickets/", {"open_only": "true", "assignee": str(colleague.pk)}).json()
    assert [t["subject"] for t in api["items"]] == ["Assigned to a colleague"]
    assert http.get("/api/v1/tickets/", {"assignee": "everyone"}).status_code == 422
