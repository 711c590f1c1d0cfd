"""The acknowledgement of a new ticket threads to the client's opening email, and to nothing else."""

from __future__ import annotations

import pytest

from supportdesk.factories import ClientUserFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets import actions as tickets

pytestmark = pytest.mark.django_db


def test_given_a_ticket_opened_by_email_then_the_acknowledgement_replies_to_that_email():
    requester = ClientUserFactory()
    ticket = tickets.open_ticket(None, requester=requester, subject="Printer", body="It jams", channel="email",
                                 source="email", source_id="<open-1@client.example>").ticket
    ack = OutboxItem.objects.get(ticket=ticket, topic="ticket.acknowledgement")
    assert ack.headers["In-Reply-To"] == "<open-1@client.example>"
    assert ack.headers["References"] == "<open-1@client.example>"
    assert ack.headers["Auto-Submitted"] == "auto-replied"


def test_given_a_ticket_opened_in_the_portal_then_the_acknowledgement_starts_a_thread():
    requester = ClientUserFactory()
    ticket = tickets.open_ticket(requester, subject="Printer", body="It jams").ticket
    ack = OutboxItem.objects.get(ticket=ticket, topic="ticket.acknowledgement")
    assert "In-Reply-To" not in ack.headers and "References" not in ack.headers


def test_the_acknowledgement_names_the_new_ticket_in_its_subject_body_and_headers():
    # its texts are computed inside the opening transaction, once the ticket has its number
    requester = ClientUserFactory()
    ticket = tickets.open_ticket(requester, subject="Printer\r\nBcc: x@evil.example", body="It jams", severity=2).ticket
    ack = OutboxItem.objects.get(ticket=ticket, topic="ticket.acknowledgement")
    assert ack.subject == f"[#{ticket.pk}] Received: Printer Bcc: x@evil.example"
    assert f"We received your request #{ticket.pk} (severity 2)." in ack.body
    assert f"/portal/tickets/{ticket.pk}/" in ack.body
    assert ack.headers["X-Supportdesk-Ticket"] == str(ticket.pk)
    assert ack.recipient == requester.email and ack.message_id

