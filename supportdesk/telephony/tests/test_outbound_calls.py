"""Calls support places to a client through the phone system (direction outbound): they open no ticket and start no
clock (the client asked for nothing); on the ticket they name, one that reached the client is a staff call, a response."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client as HttpClient

from supportdesk.accounts.actions import add_client_phone
from supportdesk.factories import TicketFactory
from supportdesk.sla.models import Clock
from supportdesk.telephony.models import Call
from supportdesk.telephony.signing import sign
from supportdesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
SECRET = "test-phone-secret"
CLIENT_NUMBER = "+14165550123"


@pytest.fixture(autouse=True)
def _secret(settings):  # noqa: ANN001, ANN202
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def ticket():  # noqa: ANN201
    opened = TicketFactory()
    add_client_phone(None, opened.client, CLIENT_NUMBER)
    return opened


def outbound(kind: str, *, call_id: str = "out-1", **extra) -> None:  # noqa: ANN003
    body = json.dumps({"event_id": f"{call_id}-{kind}", **extra, "call_id": call_id, "type": kind, "direction": "outbound",
                       "occurred_at": "2026-03-10T15:00:00Z", "from": "+18005550000", "to": CLIENT_NUMBER}).encode()
    stamp = int(time.time())
    response = HttpClient().post("/phone/webhook/", body, content_type="application/json", headers={
        "X-Supportdesk-Timestamp": str(stamp), "X-Supportdesk-Signature": sign(SECRET, stamp, body)})
    assert response.status_code == 200, response.content


def test_given_an_outbound_call_to_a_known_number_then_no_ticket_is_opened_for_the_client(ticket):
    tickets_before = Ticket.objects.count()
    for kind in ("ringing", "answered", "ended"):
        outbound(kind)
    call = Call.objects.get(call_id="out-1")
    assert call.client == ticket.client and call.ticket is None and call.state == "ended"
    assert Ticket.objects.count() == tickets_before
    assert not Message.objects.filter(channel="phone").exists()


def test_given_an_answered_outbound_call_about_a_ticket_then_it_is_the_initial_response_once(ticket):
    clock = Clock.objects.get(ticket=ticket, metric="initial_response")
    # Given support calls the client about their ticket; it rings, then is answered (reported twice, under two
    # event ids), then ends
    outbound("ringing", ticket_id=ticket.pk)
    clock.refresh_from_db()
    assert clock.stopped_at is None  # ringing reached nobody
    outbound("answered", ticket_id=ticket.pk)
    outbound("answered", ticket_id=ticket.pk, event_id="out-1-answered-again")
    outbound("ended", ticket_id=ticket.pk)
    # Then the ticket has one staff call message, which stopped the initial-response clock
    call_message = Message.objects.get(ticket=ticket, channel="phone")
    assert call_message.kind == "call" and call_message.from_staff
    assert call_message.body == f"Outbound call to {CLIENT_NUMBER}: answered by the client."
    clock.refresh_from_db()
    assert clock.stopped_at == call_message.created_at
    assert ticket.events.filter(kind="call.answered").count() == 2  # each event is recorded; the call message once
    assert Call.objects.get(call_id="out-1").ticket == ticket


def test_given_events_of_an_outbound_call_in_another_order_then_the_same_single_call_message(ticket):
    for kind in ("ended", "answered", "ringing"):
        outbound(kind, ticket_id=ticket.pk)
    assert Message.objects.filter(ticket=ticket, channel="phone", kind="call").count() == 1
    assert not Ticket.objects.exclude(pk=ticket.pk).exists()
