"""Quoted history is trimmed from a reply even when the mail program wrapped its attribution line
("On <date> <name> <address>" / "wrote:"), as Gmail does past 78 characters."""

from __future__ import annotations

import pytest

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import Outcome
from supportdesk.intake.text import trim_quoted_text

from .conftest import ANCHOR_OUT

WRAPPED_ATTRIBUTIONS = [
    "On Mon, Nov 23, 2026 at 9:00 AM Acme Support Team <support@supportdesk.example>\nwrote:",
    "Le lun. 23 nov. 2026 à 09:00, Acme Support Team <support@supportdesk.example> a\nécrit :",
    "Am 23.11.2026 um 09:00 schrieb Acme Support Team\n<support@supportdesk.example>:",
]


@pytest.mark.parametrize("attribution", WRAPPED_ATTRIBUTIONS)
def test_given_a_wrapped_attribution_line_then_it_and_the_quote_are_trimmed(attribution):
    body = f"It works again, thanks!\n\n{attribution}\n\n> Please restart the print service.\n> --\n"
    assert trim_quoted_text(body) == "It works again, thanks!"


def test_given_a_line_starting_with_on_in_what_the_client_wrote_then_nothing_is_cut():
    body = "On Monday the server crashed.\n\nThen it came back and our script wrote: nothing\nmore"
    assert trim_quoted_text(body) == body


def test_given_a_gmail_reply_with_a_wrapped_attribution_when_it_threads_then_the_ticket_gets_only_the_new_text(
        mail_world):
    # Given alice answers our mail from Gmail, which wrapped the attribution line before "wrote:"
    ticket = mail_world["ticket"]
    raw = ("From: Alice <alice@acme.example>\r\nTo: support@supportdesk.example\r\n"
           f"Subject: Re: [#{ticket.pk}] Printing fails\r\nMessage-ID: <wrapped-1@acme.example>\r\n"
           f"In-Reply-To: {ANCHOR_OUT}\r\n\r\n"
           "It works again, thanks!\r\n\r\n"
           "On Mon, Nov 23, 2026 at 9:00 AM Acme Support Team <support@supportdesk.example>\r\n"
           "wrote:\r\n\r\n> Please restart the print service.\r\n").encode()
    # When it is received and processed
    inbound = process_inbound(receive(raw, channel="smtp").inbound.pk)
    # Then the ticket's new message is what she wrote, without our quoted text or its attribution
    assert inbound.outcome == Outcome.THREADED and inbound.ticket_id == ticket.pk
    assert inbound.ticket_message.body == "It works again, thanks!"


def test_given_two_lines_of_prose_that_read_like_an_attribution_then_nothing_is_cut():
    body = "Hi,\nOn Monday the nightly export failed again.\nThe importer log wrote:\nERROR 42 disk full"
    assert trim_quoted_text(body) == body
