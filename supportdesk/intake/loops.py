"""Mail that must never start a clock or get a reply: bounces, automatic replies, bulk mail, our own."""

from __future__ import annotations

import re

from supportdesk.notifications.addresses import our_address

from .limits import our_domain
from .models import Outcome
from .parsing import Parsed

BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}  # auto_reply: vacation responders' own word
COMMENT_RE = re.compile(r"\([^()]*\)")  # RFC 3834 allows comments: "Auto-Submitted: no (a person wrote this)"


def loop_outcome(parsed: Parsed, envelope_from: str | None) -> tuple[str, str] | None:
    """(outcome, reason) when the message is automatic; None for mail a person wrote."""
    local = parsed.sender.split("@", 1)[0]
    if parsed.content_type == "multipart/report":
        return Outcome.BOUNCE, "delivery or disposition report (multipart/report)"
    if local in BOUNCE_SENDERS:
        return Outcome.BOUNCE, f"sent by {local}"
    if envelope_from == "<>" or (not envelope_from and parsed.return_path == ""):
        return Outcome.BOUNCE, "empty return path <>"
    if parsed.header("x-supportdesk-outbox") or _ours(parsed.message_id):
        return Outcome.LOOP, "our own notification came back"
    if any(our_address() in value.lower() for value in parsed.headers.get("x-loop", [])):
        return Outcome.LOOP, "X-Loop names our address"
    if parsed.sender and parsed.sender == our_address():
        return Outcome.LOOP, "sent from our own address"
    auto = COMMENT_RE.sub(" ", parsed.header("auto-submitted")).split(";")[0].strip().lower()
    if auto and auto != "no":
        return Outcome.AUTO, f"Auto-Submitted: {auto}"
    precedence = (parsed.header("precedence") or parsed.header("x-precedence")).strip().lower()
    if precedence in BULK_PRECEDENCE:
        return Outcome.AUTO, f"Precedence: {precedence}"
    if parsed.header("x-autoreply") or parsed.header("x-autorespond") or \
            parsed.header("x-auto-response-suppress").lower() in ("all", "oof", "autoreply"):
        return Outcome.AUTO, "auto-responder header"
    if parsed.header("list-id") or parsed.header("list-unsubscribe"):
        return Outcome.AUTO, "mailing-list message"
    return None


def _ours(message_id: str) -> bool:
    return message_id.lower().rstrip(">").endswith("@" + our_domain())
