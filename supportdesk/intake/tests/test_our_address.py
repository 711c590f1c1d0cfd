"""SUPPORTDESK_FROM_EMAIL may carry a display name ("Acme Support <support@help.acme.example>"): our
address, mail domain, loop header and the listener's domains are the address's, not the whole text."""

from __future__ import annotations

import os
import subprocess
import sys

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.limits import accepted_domains
from supportdesk.intake.models import Outcome
from supportdesk.notifications.addresses import our_address
from supportdesk.notifications.dispatch import mail_headers
from supportdesk.notifications.models import OutboxItem

NAMED = "Acme Support <Support@Help.Acme.example>"


def test_the_mail_domain_is_read_from_the_address_of_a_named_from_setting():
    env = {**os.environ, "SUPPORTDESK_FROM_EMAIL": NAMED}
    out = subprocess.run([sys.executable, "-c", "from supportdesk import settings; print(settings.SUPPORTDESK_MAIL_DOMAIN)"],
                         env=env, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "help.acme.example"


def test_with_a_named_from_setting_our_address_loop_header_and_domains_are_the_address(mail_world, settings):
    # Given our From setting carries a display name
    settings.DEFAULT_FROM_EMAIL, settings.SUPPORTDESK_MAIL_DOMAIN = NAMED, "help.acme.example"
    # Then our address and the listener's domain are the bare address's, and the loop header names it
    assert our_address() == "support@help.acme.example"
    assert "help.acme.example" in accepted_domains()
    row = OutboxItem.objects.create(topic="ticket.update", recipient="alice@acme.example", subject="x",
                                    message_id="<m1@help.acme.example>", next_attempt_at=mail_world["ticket"].created_at)
    assert mail_headers(row)["X-Loop"] == "Support@Help.Acme.example"
    # And a message from our own address coming back is recognised as our own mail
    raw = (b"From: Acme Support <support@help.acme.example>\r\nTo: alice@acme.example\r\nSubject: Re: x\r\n"
           b"Message-ID: <elsewhere-1@relay.example>\r\n\r\nA copy of our own mail.\r\n")
    assert process_inbound(receive(raw, channel="smtp").inbound.pk).outcome == Outcome.LOOP
