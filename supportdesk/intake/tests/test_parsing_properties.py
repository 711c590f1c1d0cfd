"""Properties of reading mail: any bytes are either read or refused as unreadable, never a crash; the
content hash ignores trace headers only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.intake.limits import MailLimits
from supportdesk.intake.parsing import Parsed, Unreadable, content_hash, header_message_id, parse

LIMITS = MailLimits(max_bytes=1_000_000, max_depth=12, max_parts=200, max_seconds=5, keep_head_bytes=1000)
HEADER_LINE = st.tuples(st.sampled_from(["Subject", "From", "To", "Content-Type", "Message-ID", "X-Odd", "Received"]),
                        st.text(max_size=40)).map(lambda kv: f"{kv[0]}: {kv[1]}")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_as_unreadable(raw):
    try:
        parsed = parse(raw, LIMITS)
    except Unreadable:
        return
    assert isinstance(parsed, Parsed)
    assert isinstance(parsed.body_text, str) and isinstance(parsed.body_html, str)
    header_message_id(raw)


@settings(max_examples=150, deadline=None)
@given(st.lists(HEADER_LINE, max_size=8), st.text(max_size=200))
def test_messages_built_from_headers_and_text_never_crash(headers, body):
    raw = ("\r\n".join(h.replace("\r", " ").replace("\n", " ") for h in headers) + "\r\n\r\n" + body).encode(
        "utf-8", "surrogatepass")
    try:
        parse(raw, LIMITS)
    except Unreadable:
        pass


@given(st.text(alphabet="abcdefghij .-", max_size=40))
def test_trace_headers_do_not_change_the_content_hash_but_content_does(hop):
    message = b"From: a@b.example\r\nSubject: hi\r\nMessage-ID: <x@b.example>\r\n\r\nbody\r\n"
    relayed = f"Received: from {hop}\r\n\tby mx.example\r\nReturn-Path: <a@b.example>\r\n".encode() + message
    assert content_hash(relayed) == content_hash(message)
    assert content_hash(message.replace(b"body", b"other")) != content_hash(message)
