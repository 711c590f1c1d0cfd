"""Reading a raw message with the standard library (policy.default) within limits.

Never raises for a bad message: header troubles fall back to the raw value, a bad part is reported
in `problems` and skipped, and only a message that cannot be read at all raises `Unreadable`.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from typing import Any

from .limits import MailLimits
from .text import html_to_text, sanitize_html, trim_quoted_html, trim_quoted_text

# Trace headers added along the delivery path: left out of the content hash so the same message
# delivered by two routes (or twice by one) is recognised as one.
TRACE_HEADERS = {b"received", b"return-path", b"delivered-to", b"x-original-to", b"x-received",
                 b"authentication-results", b"arc-seal", b"arc-message-signature",
                 b"arc-authentication-results", b"received-spf", b"x-envelope-from", b"x-envelope-to"}
MSGID_RE = re.compile(r"<[^<>\s]+>")
BARE_MSGID_RE = re.compile(r"^[^<>\s@()\[\],;:\"]+@[^<>\s@()\[\],;:\"]+$")  # id@host without <>
# The standard library's structured header parser is quadratic in time and memory on some inputs (a
# 300 KB subject of RFC 2047 words takes 1.4 GB, a few MB exhaust the machine): each header value it
# parses is cut to this many characters first. The raw message is kept whole.
MAX_HEADER_CHARS = 16 * 1024


class BoundedPolicy(EmailPolicy):
    """policy.default, parsing at most MAX_HEADER_CHARS of each header value."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS]
        return super().header_fetch_parse(name, value)


BOUNDED = BoundedPolicy()
EMBEDDED_OUT = BOUNDED.clone(linesep="\r\n", refold_source="none")  # a forwarded message's headers as they came


class Unreadable(Exception):
    """The message cannot be read at all, or exceeds a parsing limit."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    payload: bytes | None
    error: str = ""


@dataclass
class Parsed:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    sender_problem: str = ""  # why no sender was identified although the header names one
    return_path: str | None = None  # None: no Return-Path header; "" : the null path <>
    content_type: str = "text/plain"
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> values
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def body_text(self) -> str:
        """The new part of the message: quoted replies trimmed; HTML-only mail converted to text."""
        text = self.text if self.text.strip() else html_to_text(self.html)
        return trim_quoted_text(text)

    @property
    def body_html(self) -> str:
        return sanitize_html(trim_quoted_html(self.html)) if self.html.strip() else ""


def content_hash(raw: bytes) -> str:
    """SHA-256 of the message without its trace headers (line endings normalised)."""
    raw = raw.replace(b"\r\n", b"\n")
    head, sep, body = raw.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and kept is not None:
            if not skipping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        skipping = name in TRACE_HEADERS
        if not skipping:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + sep + body).hexdigest()


def header_message_id(raw: bytes) -> str:
    """The Message-ID read straight from the header block (used before full parsing, when storing)."""
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0][:256 * 1024]
    match = re.search(rb"(?im)^message-id:[ \t]*((?:.*)(?:\n[ \t].*)*)", head)
    if not match:
        return ""
    value = match.group(1).decode("ascii", "replace")
    found = MSGID_RE.search(value)
    return (found.group(0) if found else " ".join(value.split()))[:255]


def message_ids(value: str) -> list[str]:
    """The <ids> of an In-Reply-To/References value; some clients write them without the angle brackets
    ("id@host"), which are then added, so such a reply still threads."""
    ids: list[str] = []
    for word in re.split(r"(<[^<>\s]+>)|\s+", value):
        if word and MSGID_RE.fullmatch(word):
            ids.append(word)
        elif word and BARE_MSGID_RE.match(word):
            ids.append(f"<{word}>")
    return ids


def parse(raw: bytes, limits: MailLimits) -> Parsed:
    deadline = time.monotonic() + limits.max_seconds
    try:
        msg = BytesParser(policy=BOUNDED).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is lenient; anything else is unreadable
        raise Unreadable(f"parser failed: {type(exc).__name__}: {exc}") from exc
    if not msg.keys():
        raise Unreadable("no headers: this is not an email message")
    parsed = Parsed()
    parsed.headers = _headers(msg, limits, deadline)
    parsed.message_id = _first_msgid(parsed.header("message-id")) or header_message_id(raw)
    parsed.in_reply_to = message_ids(parsed.header("in-reply-to"))
    parsed.references = message_ids(" ".join(parsed.headers.get("references", [])))
    parsed.subject = " ".join(parsed.header("subject").split())
    parsed.sender_name, parsed.sender = _sender(msg, parsed)
    if "return-path" in parsed.headers:
        parsed.return_path = parseaddr(parsed.header("return-path"))[1].strip("<> ").lower()
    parsed.content_type = _content_type(msg)
    counter = [0]
    _walk(msg, parsed, limits, deadline, depth=0, counter=counter)
    return parsed


def _headers(msg: Message, limits: MailLimits, deadline: float) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for count, (name, value) in enumerate(msg.raw_items()):
        if count % 50 == 49 and time.monotonic() > deadline:
            raise Unreadable(f"reading the headers took longer than {limits.max_seconds:g} s")
        try:
            text = str(msg.policy.header_fetch_parse(name, value))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - malformed header: keep the raw text
            text = str(value)
        out.setdefault(name.lower(), []).append(" ".join(text.replace("\x00", "").split())[:2000])
    return out


def _first_msgid(value: str) -> str:
    found = MSGID_RE.search(value or "")
    return found.group(0)[:255] if found else ""


def _sender(msg: Message, parsed: Parsed) -> tuple[str, str]:
    """Identity is the address only; the display name is kept for show.

    The address is read from the header as it arrived (an RFC 2047 encoded word is a display name,
    never an address) and must be the one the standard parser finds too: a From header the two read
    differently (e.g. `alice@client.example <other@elsewhere.example>`) identifies nobody."""
    for name in ("from", "sender"):
        raw_values = [_raw_text(value)[:MAX_HEADER_CHARS] for key, value in msg.raw_items() if key.lower() == name]
        if not raw_values:
            continue
        try:
            found = [address.strip() for _display, address in getaddresses(raw_values) if "@" in address]
        except RecursionError:  # comments nested thousands deep
            parsed.sender_problem = f"The {name.title()} header cannot be read (nested too deep)."
            return "", ""
        if not found:
            continue
        address = found[0]
        if not _plain_address(address) or [a.lower() for a in found] != _structured_addresses(msg, name):
            parsed.sender_problem = (f"The {name.title()} header is ambiguous ({' '.join(raw_values)[:200]!r}): "
                                     "the sender is not identified.")
            return "", ""
        display = next((d for d, a in getaddresses(parsed.headers.get(name, [])) if a.lower() == address.lower()), "")
        return display[:200], address.lower()[:320]
    return "", ""


def _raw_text(value: object) -> str:
    """A header value as it arrived (8-bit bytes read as UTF-8), RFC 2047 words left encoded."""
    text = str(value)
    try:
        return text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text


def _plain_address(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local and domain) and "@" not in local and "=?" not in address and "\ufffd" not in address \
        and not any(c.isspace() or c < " " or c in '"<>,;:()[]\\' for c in address)


def _structured_addresses(msg: Message, name: str) -> list[str]:
    """The addresses (lower case) the standard parser reads in every `name` header."""
    try:
        return [_raw_text(address.addr_spec).lower() for header in msg.get_all(name) or []
                for address in header.addresses if "@" in address.addr_spec]  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a header the parser cannot read as addresses
        return []


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def _walk(part: Message, parsed: Parsed, limits: MailLimits, deadline: float, depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > limits.max_parts:
        raise Unreadable(f"more than {limits.max_parts} MIME parts")
    if depth > limits.max_depth:
        raise Unreadable(f"MIME nesting deeper than {limits.max_depth}")
    if time.monotonic() > deadline:
        raise Unreadable(f"reading took longer than {limits.max_seconds:g} s")
    ctype = _content_type(part)
    if part.is_multipart():
        payload = part.get_payload()
        if ctype == "message/rfc822" or not isinstance(payload, list):
            _attach_embedded(part, parsed)
            return
        for child in payload:
            if isinstance(child, Message):
                _walk(child, parsed, limits, deadline, depth + 1, counter)
        return
    disposition = _disposition(part)
    filename = _filename(part, parsed)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        text = _text(part, parsed)
        if ctype == "text/plain" and not parsed.text:
            parsed.text = text
        elif ctype == "text/html" and not parsed.html:
            parsed.html = text
        else:
            parsed.attachments.append(Attachment(f"part-{counter[0]}.{'html' if ctype == 'text/html' else 'txt'}",
                                                 ctype, text.encode()))
        return
    if ctype.startswith("multipart/"):
        return  # a multipart with a broken body: nothing to keep beyond the raw message
    if ctype in ("message/delivery-status", "message/disposition-notification") and not filename:
        filename = "delivery-status.txt"
    _attach_leaf(part, parsed, ctype, filename or f"part-{counter[0]}{_extension(ctype)}")


def _attach_embedded(part: Message, parsed: Parsed) -> None:
    """A forwarded message stays whole, as a .eml attachment."""
    try:
        inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
        data = inner.as_bytes(policy=EMBEDDED_OUT) if isinstance(inner, Message) else b""
        subject = " ".join(str(inner.get("subject", "") if isinstance(inner, Message) else "").split())
        parsed.attachments.append(Attachment(f"{subject[:80] or 'forwarded message'}.eml", "message/rfc822", data))
    except Exception as exc:  # noqa: BLE001
        parsed.attachments.append(Attachment("forwarded message.eml", "message/rfc822", None, _err(exc)))
        parsed.problems.append(f"forwarded message unreadable: {_err(exc)}")


def _attach_leaf(part: Message, parsed: Parsed, ctype: str, filename: str) -> None:
    try:
        payload = part.get_payload(decode=True)
        if payload is None:
            raw_payload = part.get_payload()
            payload = raw_payload.encode("utf-8", "surrogateescape") if isinstance(raw_payload, str) else b""
        parsed.attachments.append(Attachment(filename, ctype, payload if isinstance(payload, bytes) else b""))
    except Exception as exc:  # noqa: BLE001 - one bad attachment never loses the others
        parsed.attachments.append(Attachment(filename, ctype, None, _err(exc)))
        parsed.problems.append(f"attachment {filename!r} unreadable: {_err(exc)}")


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def _filename(part: Message, parsed: Parsed) -> str:
    try:
        name = part.get_filename() or ""
    except Exception as exc:  # noqa: BLE001
        parsed.problems.append(f"unreadable file name: {_err(exc)}")
        return "attachment"
    return " ".join(str(name).split())


def _text(part: Message, parsed: Parsed) -> str:
    """The decoded text of a part, without NUL characters (PostgreSQL text cannot hold them)."""
    return _decoded_text(part, parsed).replace("\x00", "")


def _decoded_text(part: Message, parsed: Parsed) -> str:
    try:
        if isinstance(part, EmailMessage):
            content = part.get_content()
            if isinstance(content, str):
                return content
    except Exception as exc:  # noqa: BLE001 - unknown charset or broken encoding: decode by hand
        parsed.problems.append(f"text part decoded leniently: {_err(exc)}")
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:  # noqa: BLE001
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _extension(ctype: str) -> str:
    import mimetypes

    return mimetypes.guess_extension(ctype) or ".bin"


def _err(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
