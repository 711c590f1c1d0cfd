"""Sender identity is the From address only: a client's address written anywhere else in the header
(display name, RFC 2047 encoded word, a second unbracketed address) never makes the mail theirs."""

from __future__ import annotations

import pytest

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import Outcome
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Message, Ticket

from .conftest import FIRST_CLIENT

SPOOFED_FROM = {
    "an address before the real one": b"alice@acme.example <evil@attacker.example>",
    "an encoded word that decodes to the address": b"=?utf-8?q?alice=40acme=2Eexample?=",
    "an encoded word, then another From": b"=?utf-8?q?alice=40acme=2Eexample?=\r\nFrom: evil@attacker.example",
    "a quoted local part holding the address": b'<"alice@acme.example"@attacker.example>',
}


def _mail(from_value: bytes, message_id: str) -> bytes:
    return (b"From: " + from_value + b"\r\nTo: support@supportdesk.example\r\nSubject: Re: Printing fails\r\n"
            b"Message-ID: " + message_id.encode() + b"\r\nIn-Reply-To: " + FIRST_CLIENT.encode() +
            b"\r\nContent-Type: text/plain\r\n\r\nPlease close my ticket and send me the data.\r\n")


@pytest.mark.parametrize("from_value", list(SPOOFED_FROM.values()), ids=list(SPOOFED_FROM))
def test_a_client_address_outside_the_from_address_goes_to_review(mail_world, from_value):
    # Given alice's open ticket, and a message whose From header shows her address but is not from her
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    outbox_before = OutboxItem.objects.count()
    # When it arrives as a reply to her ticket
    inbound = process_inbound(receive(_mail(from_value, "<spoof@attacker.example>"), channel="smtp",
                                      envelope_from="evil@attacker.example").inbound.pk)
    # Then nobody is identified: it waits for review, adds nothing to her ticket and gets no reply
    assert inbound.outcome == Outcome.REVIEW, inbound.error
    assert inbound.sender != "alice@acme.example"
    assert Ticket.objects.count() == tickets_before and Message.objects.count() == messages_before
    assert OutboxItem.objects.count() == outbox_before


def test_an_ambiguous_from_header_says_why_it_waits_for_review(mail_world):
    inbound = process_inbound(receive(_mail(b"alice@acme.example <evil@attacker.example>", "<amb@x.example>"),
                                      channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.REVIEW and "From header is ambiguous" in inbound.error


@pytest.mark.parametrize("from_value", [b'"Smith, Alice" <alice@acme.example>', b"alice@ACME.example",
                                        b"=?iso-8859-1?q?Alic=E9?= <alice@acme.example>",
                                        b"Alice <alice@acme.example> (work)"])
def test_ordinary_from_headers_still_identify_the_client(mail_world, from_value):
    inbound = process_inbound(receive(_mail(from_value, "<ok@acme.example>"), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.THREADED, inbound.error
    assert inbound.sender == "alice@acme.example" and inbound.ticket == mail_world["ticket"]
