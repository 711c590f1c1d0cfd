"""Oversized headers cannot exhaust the worker: the standard library's header parser is quadratic in
time and memory on some inputs, so each header value it parses is bounded; the raw message is kept."""

from __future__ import annotations

import tracemalloc

from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.models import Outcome

WORDS = b"=?utf-8?q?a?= " * 25_000  # 350 KB of RFC 2047 words: 1.4 GB and seconds in the unbounded parser


def _peak_mb(func):  # noqa: ANN001, ANN202
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_subject_of_many_encoded_words_opens_its_ticket_within_bounded_memory(mail_world):
    # Given a client's message whose subject is hundreds of KB of encoded words
    raw = (b"From: alice@acme.example\r\nTo: support@supportdesk.example\r\nSubject: " + WORDS +
           b"\r\nMessage-ID: <huge-subject@acme.example>\r\n\r\nMy printer is on fire.\r\n")
    stored = receive(raw, channel="smtp").inbound
    # When it is processed
    inbound, peak = _peak_mb(lambda: process_inbound(stored.pk))
    # Then it opens its ticket, kept whole, without the parser taking hundreds of MB
    assert inbound.outcome == Outcome.NEW_TICKET, inbound.error
    assert peak < 200, f"{peak:.0f} MB"
    assert inbound.ticket.subject.startswith("aaaa") and bytes(inbound.raw) == raw


def test_a_forwarded_message_with_a_huge_header_is_kept_whole_within_bounded_memory(mail_world):
    raw = (b"From: alice@acme.example\r\nTo: support@supportdesk.example\r\nMessage-ID: <fwd-huge@acme.example>\r\n"
           b"Subject: Fwd: see below\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nSee the attached mail.\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
           b"From: x@vendor.example\r\nSubject: " + WORDS + b"\r\n\r\nInner text.\r\n--b--\r\n")
    stored = receive(raw, channel="smtp").inbound
    inbound, peak = _peak_mb(lambda: process_inbound(stored.pk))
    assert inbound.outcome == Outcome.NEW_TICKET, inbound.error
    assert peak < 200, f"{peak:.0f} MB"
    [attachment] = inbound.ticket.attachments.all()
    assert attachment.content_type == "message/rfc822" and attachment.size > len(WORDS)


def test_a_from_header_of_deeply_nested_comments_goes_to_review_at_once(mail_world):
    raw = b"From: " + b"(" * 50_000 + b"alice@acme.example\r\nMessage-ID: <nested@x.example>\r\n\r\nHello\r\n"
    inbound = process_inbound(receive(raw, channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.REVIEW and inbound.attempts == 0, inbound.error
