"""The portal shows a ticket's history (§4: who changed what, when, from where) as the API's `/events` gives it to
the same person: the one policy, so no internal note, internal file or escalation reason reaches a client."""

from __future__ import annotations

import io

from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.tickets import actions
from supportdesk.tickets.attachments import add_attachment


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def history_of(html: str) -> str:
    return html[html.index('id="history"'):html.index("</details>", html.index('id="history"'))]


def test_given_staff_changes_and_internal_work_when_the_client_opens_the_ticket_then_the_history_shows_only_theirs(db):
    # Given a ticket whose severity an agent raised, with an internal note and an internal file beside it
    client = premium_client(name="Hartley & Moss LLP")
    requester = ClientUserFactory(client=client)
    admin = ClientUserFactory(client=client, client_role="client_admin")
    agent = StaffFactory(full_name="Avery Agent")
    ticket = TicketFactory(requester=requester, subject="Matter database down", severity=3)
    actions.update_ticket(agent, ticket, expected_version=ticket.version, source="web", severity=1)
    actions.add_message(agent, ticket, body="Customer is on an old build", kind="internal")
    add_attachment(agent, ticket, upload=io.BytesIO(b"heap"), filename="heap-dump.bin", internal=True)
    # When the requester and their client admin open it in the portal
    pages = [signed_in(person).get(f"/portal/tickets/{ticket.pk}/") for person in (requester, admin)]
    # Then each sees the history the API gives them: the severity change, by whom and from where, nothing internal
    for page in pages:
        assert page.status_code == 200
        history = history_of(page.content.decode())
        assert "S3 → S1" in history and "Avery Agent (web)" in history
        assert "heap-dump" not in history and "nternal" not in history
    api_kinds = [e["kind"] for e in signed_in(requester).get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]]
    assert "message.internal" not in api_kinds and "ticket.severity_changed" in api_kinds


def test_given_a_ticket_assigned_when_its_history_is_read_then_people_are_named_not_numbered(db):
    # Given a ticket assigned to one agent, then handed to another
    client = premium_client(name="Hartley & Moss LLP")
    requester = ClientUserFactory(client=client)
    first, second = StaffFactory(full_name="Avery Agent"), StaffFactory(full_name="Blake Agent")
    ticket = TicketFactory(requester=requester, subject="Matter database down")
    ticket = actions.update_ticket(first, ticket, expected_version=ticket.version, source="web", assignee=first)
    actions.update_ticket(first, ticket, expected_version=ticket.version, source="web", assignee=second)
    # When the requester reads the portal history and an agent the console's
    portal = history_of(signed_in(requester).get(f"/portal/tickets/{ticket.pk}/").content.decode())
    console = signed_in(first).get(f"/console/tickets/{ticket.pk}/").content.decode()
    # Then both name the people, as they were named when the change was made
    for history in (portal, console):
        assert "— → Avery Agent" in history and "Avery Agent → Blake Agent" in history
