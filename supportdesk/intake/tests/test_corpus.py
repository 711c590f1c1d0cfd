"""Each message of our corpus (tests/corpus, table in EXPECTED.md) ends with its expected outcome."""

from __future__ import annotations

import pytest

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import InboundStatus, Outcome
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Attachment, Message, Ticket

from .conftest import corpus_raw, expected_outcomes

ROWS = expected_outcomes()
NO_CLOCK = {Outcome.AUTO, Outcome.LOOP, Outcome.BOUNCE, Outcome.REVIEW, Outcome.UNPARSEABLE, Outcome.REJECTED_SIZE}


def test_the_corpus_has_at_least_30_messages_with_an_outcome_each():
    assert len(ROWS) >= 30
    assert {outcome for _, outcome in ROWS} >= {"new_ticket", "threaded", "review", "auto", "loop", "bounce",
                                                 "unparseable", "rejected_size"}


@pytest.mark.parametrize(("name", "outcome"), ROWS, ids=[r[0] for r in ROWS])
def test_each_corpus_message_gets_its_expected_outcome(mail_world, small_limits, name, outcome):
    # Given a message of the corpus arriving by SMTP
    ticket = mail_world["ticket"]
    raw = corpus_raw(name, ticket.pk)
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    outbox_before = OutboxItem.objects.count()
    # When it is stored and processed
    inbound = receive(raw, channel="smtp", envelope_from="sender@acme.example").inbound
    inbound = process_inbound(inbound.pk)
    # Then it has the expected outcome, the raw bytes are kept, and automatic mail starts nothing
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.outcome == outcome, inbound.error
    if outcome == Outcome.REJECTED_SIZE:
        assert inbound.truncated and inbound.size == len(raw) and raw.startswith(bytes(inbound.raw))
    else:
        assert bytes(inbound.raw) == raw
    if outcome in NO_CLOCK:
        assert Ticket.objects.count() == tickets_before
        assert Message.objects.count() == messages_before
        assert OutboxItem.objects.count() == outbox_before, "no reply to automatic or unknown mail"
    elif outcome == Outcome.THREADED:
        assert inbound.ticket == ticket
        assert Ticket.objects.count() == tickets_before
        assert inbound.ticket_message.channel == "email" and inbound.ticket_message.ticket == ticket
    else:
        assert Ticket.objects.count() == tickets_before + 1
        assert inbound.ticket != ticket and inbound.ticket.channel == "email"


def test_html_only_mail_is_sanitised_and_turned_into_text(mail_world):
    inbound = process_inbound(receive(corpus_raw("03_html_only_with_script.eml", 0), channel="smtp").inbound.pk)
    message = inbound.ticket_message
    assert "blank page" in message.body and "alert" not in message.body
    assert "<script" not in message.body_html and "onclick" not in message.body_html
    assert "javascript:" not in message.body_html and "tracker.example" not in message.body_html


def test_quoted_history_is_trimmed_from_a_reply(mail_world):
    ticket = mail_world["ticket"]
    for name in ("08_gmail_quoted_reply.eml", "09_outlook_reply.eml"):
        message = process_inbound(receive(corpus_raw(name, ticket.pk), channel="smtp").inbound.pk).ticket_message
        assert "restart the print service" not in message.body
    assert Message.objects.filter(ticket=ticket, body="It works again, thanks!").exists()


def test_encoded_subjects_and_filenames_are_decoded(mail_world):
    subject = process_inbound(receive(corpus_raw("13_rfc2047_subject.eml", 0), channel="smtp").inbound.pk).ticket
    assert subject.subject == "Café menu – broken"
    t14 = process_inbound(receive(corpus_raw("14_rfc2231_filename.eml", 0), channel="smtp").inbound.pk).ticket
    t15 = process_inbound(receive(corpus_raw("15_rfc2047_filename.eml", 0), channel="smtp").inbound.pk).ticket
    assert list(t14.attachments.values_list("filename", flat=True)) == ["€ rates 2026.txt"]
    assert list(t15.attachments.values_list("filename", flat=True)) == ["résumé.txt"]


def test_odd_charsets_are_read(mail_world):
    bodies = {name: process_inbound(receive(corpus_raw(name, 0), channel="smtp").inbound.pk).ticket_message.body
              for name in ("10_latin1.eml", "11_koi8r.eml", "12_shift_jis.eml", "37_unknown_charset.eml")}
    assert "Le système ne démarre plus" in bodies["10_latin1.eml"]
    assert "Система не работает" in bodies["11_koi8r.eml"]
    assert "請求書を印刷できません" in bodies["12_shift_jis.eml"]
    assert "Plain ASCII words" in bodies["37_unknown_charset.eml"]


def test_one_bad_attachment_never_loses_the_others(mail_world):
    inbound = process_inbound(receive(corpus_raw("34_bad_attachment.eml", 0), channel="smtp").inbound.pk)
    kept = Attachment.objects.get(ticket=inbound.ticket)
    assert kept.filename == "passwd.csv" and kept.file.read() == b"a,b\r\n1,2"
    assert "passwd" not in kept.file.name and "empty.pdf" in inbound.error


def test_inline_images_and_forwarded_messages_are_kept_as_attachments(mail_world):
    inline = process_inbound(receive(corpus_raw("16_inline_image.eml", 0), channel="smtp").inbound.pk).ticket
    forwarded = process_inbound(receive(corpus_raw("17_forwarded_attached.eml", 0), channel="smtp").inbound.pk).ticket
    assert inline.attachments.get().content_type == "image/png"
    eml = forwarded.attachments.get()
    assert eml.filename == "Nightly job failed.eml" and b"nightly job failed at 02:00" in eml.file.read()


def test_a_token_of_another_clients_ticket_opens_a_new_ticket_for_the_sender(mail_world):
    ticket = mail_world["ticket"]
    inbound = process_inbound(receive(corpus_raw("07_token_other_client.eml", ticket.pk), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.NEW_TICKET
    assert inbound.ticket.client == mail_world["other"] and inbound.ticket.requester == mail_world["mallory"]
    assert not Message.objects.filter(ticket=ticket, body__contains="add me").exists()


def test_nul_characters_are_dropped_so_the_message_can_be_stored_on_postgresql(mail_world):
    # Given a message with NUL bytes in its subject, its text and its HTML (PostgreSQL text refuses them)
    raw = (b"From: Alice <alice@acme.example>\r\nTo: support@supportdesk.example\r\nSubject: Disk\x00 full\r\n"
           b"Message-ID: <nul-1@acme.example>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe disk\x00 is full.\r\n"
           b"--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"<p>The disk\x00 is <b>full</b>.</p>\r\n--b--\r\n")
    # When it is processed
    inbound = process_inbound(receive(raw, channel="smtp").inbound.pk)
    # Then it opens a ticket whose text holds no NUL, and the raw message is kept as it came
    assert inbound.outcome == Outcome.NEW_TICKET, inbound.error
    message = inbound.ticket_message
    assert "The disk is full." in message.body and "\x00" not in message.body + message.body_html
    assert inbound.ticket.subject == "Disk full" and "\x00" not in inbound.subject
    assert bytes(inbound.raw) == raw


@pytest.mark.parametrize(("value", "outcome"), [("no (a person wrote this)", Outcome.NEW_TICKET),
                                                ("No", Outcome.NEW_TICKET),
                                                ("auto-replied (vacation)", Outcome.AUTO),
                                                ("(comment first) auto-generated", Outcome.AUTO)])
def test_auto_submitted_is_read_without_its_comments(mail_world, value, outcome):
    # Given a client's message whose Auto-Submitted header carries an RFC 5322 comment
    raw = (f"From: alice@acme.example\r\nTo: support@supportdesk.example\r\nSubject: Help\r\n"
           f"Auto-Submitted: {value}\r\nMessage-ID: <as-{abs(hash(value))}@acme.example>\r\n\r\nPlease help.\r\n")
    # When it is processed, then only the keyword decides whether a person wrote it
    assert process_inbound(receive(raw.encode(), channel="smtp").inbound.pk).outcome == outcome
