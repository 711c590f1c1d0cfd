"""Automatic mail named by Precedence: auto_reply (vacation responders) or X-Precedence starts nothing, and a
reply whose In-Reply-To/References carry ids without angle brackets still threads."""

from __future__ import annotations

import pytest

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import Outcome
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Ticket

from .conftest import ANCHOR_OUT


def _mail(*headers: str, body: str = "I am out of the office until Monday.\n") -> bytes:
    base = ["From: Alice <alice@acme.example>", "To: support@supportdesk.example"]
    return ("\r\n".join([*base, *headers]) + "\r\n\r\n" + body).encode()


@pytest.mark.parametrize("header", ["Precedence: auto_reply", "X-Precedence: bulk", "X-Precedence: auto_reply"])
def test_given_automatic_mail_by_precedence_when_processed_then_auto_no_ticket_no_reply(mail_world, header):
    tickets_before, outbox_before = Ticket.objects.count(), OutboxItem.objects.count()
    raw = _mail(header, "Subject: Out of office", f"Message-ID: <{header.split(':')[1].strip()}-1@acme.example>")

    inbound = process_inbound(receive(raw, channel="imap").inbound.pk)

    assert inbound.outcome == Outcome.AUTO
    assert Ticket.objects.count() == tickets_before and OutboxItem.objects.count() == outbox_before


@pytest.mark.parametrize("header", ["In-Reply-To: {id}", "References: <unknown@elsewhere.example> {id}"])
def test_given_a_reply_naming_our_id_without_angle_brackets_when_processed_then_it_threads(mail_world, header):
    bare = ANCHOR_OUT.strip("<>")
    raw = _mail(header.format(id=bare), "Subject: Re: Printing", "Message-ID: <bare-reply@acme.example>",
                body="Still failing.\n")

    inbound = process_inbound(receive(raw, channel="imap").inbound.pk)

    assert inbound.outcome == Outcome.THREADED
    assert inbound.ticket_id == mail_world["ticket"].pk
