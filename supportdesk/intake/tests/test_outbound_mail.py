"""Outbound mail through a real SMTP sink (aiosmtpd) with Django's SMTP backend: stable Message-IDs,
RFC 3834 headers, threading headers, our loop header, retries, never twice, nothing for rolled-back work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from conftest import SmtpSink
from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import Outcome
from supportdesk.notifications.dispatch import dispatch_due
from supportdesk.notifications.models import OutboxItem, OutboxStatus
from supportdesk.tickets import actions as tickets

from .conftest import ANCHOR_OUT, FIRST_CLIENT, corpus_raw, free_port


def _due_now() -> None:
    OutboxItem.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())


def test_an_agent_reply_goes_out_threaded_with_a_stable_message_id_and_no_auto_submitted(mail_world, smtp_sink):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    # Given the client wrote again by email
    process_inbound(receive(corpus_raw("06_reply_subject_token.eml", ticket.pk), channel="smtp").inbound.pk)
    # When an agent replies in the console and the worker sends
    tickets.add_message(agent, ticket, body="Please restart the print service.")
    row = OutboxItem.objects.get(topic="ticket.reply", status=OutboxStatus.PENDING)
    assert dispatch_due() == 1
    # Then the client gets one mail, threaded to their last message, carrying our headers
    [mail] = smtp_sink.parsed()
    assert mail["Message-ID"] == row.message_id and mail["To"] == "alice@acme.example"
    assert mail["In-Reply-To"] == "<c06@acme.example>"
    assert FIRST_CLIENT in mail["References"] and ANCHOR_OUT in mail["References"]
    assert mail["X-Loop"] == "support@supportdesk.example" and mail["X-Supportdesk-Outbox"] == str(row.pk)
    assert mail["Auto-Submitted"] is None  # a person wrote it (RFC 3834 section 5)
    assert mail["Subject"].startswith(f"[#{ticket.pk}]")


def test_acknowledgements_are_auto_replied_and_notifications_auto_generated(mail_world, smtp_sink):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    process_inbound(receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp").inbound.pk)
    tickets.update_ticket(agent, ticket, expected_version=ticket.version, assignee=agent.pk)
    assert dispatch_due() == 2
    by_to = {m["To"]: m for m in smtp_sink.parsed()}
    assert by_to["alice@acme.example"]["Auto-Submitted"] == "auto-replied"
    assert by_to["agent@vendor.example"]["Auto-Submitted"] == "auto-generated"
    assert all(m["X-Loop"] == "support@supportdesk.example" for m in by_to.values())


def test_a_failed_send_is_retried_with_backoff_and_a_sent_row_is_never_sent_again(mail_world, settings):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    port = free_port()  # nothing listens there yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 3
    tickets.add_message(agent, ticket, body="First answer.")
    row = OutboxItem.objects.get(topic="ticket.reply")
    # When the server is down
    assert dispatch_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert dispatch_due() == 0  # not due yet: backing off
    # Then once it is due and the server is up, it is sent, with the same Message-ID
    handler = SmtpSink()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        _due_now()
        assert dispatch_due() == 1
        _due_now()
        assert dispatch_due() == 0
    finally:
        smtp.stop()
    [mail] = handler.parsed()
    assert mail["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 2


def test_a_rolled_back_change_sends_nothing(mail_world, smtp_sink):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.add_message(agent, ticket, body="This reply is rolled back.")
        raise RuntimeError("the request failed after the reply was written")
    assert not OutboxItem.objects.filter(topic="ticket.reply").exists()
    assert dispatch_due() == 0 and smtp_sink.messages == []


def test_acknowledgements_go_at_most_once_per_sender_per_period(mail_world):
    for name in ("01_plain_new_ticket.eml", "02_multipart_alternative.eml", "35_no_message_id.eml"):
        assert process_inbound(receive(corpus_raw(name, 0), channel="smtp").inbound.pk).outcome == Outcome.NEW_TICKET
    assert OutboxItem.objects.filter(topic="ticket.acknowledgement", recipient="alice@acme.example").count() == 1


def test_our_own_mail_coming_back_is_recognised_as_a_loop(mail_world, smtp_sink):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    tickets.add_message(agent, ticket, body="An answer that bounces around.")
    dispatch_due()
    [raw] = smtp_sink.messages
    tickets_before = ticket.messages.count()
    inbound = process_inbound(receive(raw, channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.LOOP and ticket.messages.count() == tickets_before


def test_a_long_thread_gets_a_references_header_of_whole_message_ids(mail_world, smtp_sink):
    ticket, alice, agent = mail_world["ticket"], mail_world["alice"], mail_world["agent"]
    # Given a long email thread: the client wrote many times, with long (but valid) Message-IDs
    long_ids = [f"<{n}-{'x' * 90}@mail.acme.example>" for n in range(12)]
    for message_id in long_ids:
        tickets.add_message(alice, ticket, body="More.", channel="email", source="email", source_id=message_id)
    OutboxItem.objects.filter(status=OutboxStatus.PENDING).delete()
    # When an agent replies and the worker sends
    tickets.add_message(agent, ticket, body="Fixed.")
    assert dispatch_due() == 1
    # Then References lists whole ids only: the thread's first, then the latest that fit, none cut
    [mail] = smtp_sink.parsed()
    references = str(mail["References"]).split()
    assert all(ref.startswith("<") and ref.endswith(">") and ref.count("@") == 1 for ref in references), references
    assert references[0] == FIRST_CLIENT and references[-1] == long_ids[-1]
    assert str(mail["In-Reply-To"]).strip() == long_ids[-1]
    assert len(" ".join(references)) <= 900


def test_the_acknowledgement_period_is_a_window_not_a_calendar_bucket(mail_world):
    import time_machine

    def new_ticket(n: int) -> None:
        raw = (f"From: alice@acme.example\r\nTo: support@supportdesk.example\r\nSubject: Problem {n}\r\n"
               f"Message-ID: <window-{n}@acme.example>\r\n\r\nAnother problem.\r\n").encode()
        assert process_inbound(receive(raw, channel="smtp").inbound.pk).outcome == Outcome.NEW_TICKET

    acks = OutboxItem.objects.filter(topic="ticket.acknowledgement", recipient="alice@acme.example")
    # Given alice was acknowledged a minute before midnight UTC (the edge of a 24-hour bucket)
    with time_machine.travel("2026-11-23 23:59:00+00:00", tick=False):
        new_ticket(1)
    # When she writes again two minutes later, and again 23 hours later
    with time_machine.travel("2026-11-24 00:01:00+00:00", tick=False):
        new_ticket(2)
    with time_machine.travel("2026-11-24 22:58:00+00:00", tick=False):
        new_ticket(3)
    # Then she got one acknowledgement in those 24 hours, and a new one once they have passed
    assert acks.count() == 1
    with time_machine.travel("2026-11-25 00:00:00+00:00", tick=False):
        new_ticket(4)
    assert acks.count() == 2
