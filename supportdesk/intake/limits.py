"""Limits and addresses of mail intake, read from settings.SUPPORTDESK (env-backed) at call time."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class MailLimits:
    max_bytes: int  # larger messages: SMTP 552, others kept truncated and flagged
    max_depth: int  # MIME nesting
    max_parts: int  # MIME parts in all
    max_seconds: float  # parse time budget
    keep_head_bytes: int  # how much of an over-size message is kept


def _value(name: str, default: str) -> str:
    conf = getattr(settings, "SUPPORTDESK", {})
    if name in conf:
        return str(conf[name])
    return os.environ.get(f"SUPPORTDESK_{name}", default)


def mail_limits() -> MailLimits:
    return MailLimits(
        max_bytes=int(_value("MAIL_MAX_BYTES", str(30 * 1024 * 1024))),
        max_depth=int(_value("MAIL_MAX_DEPTH", "12")),
        max_parts=int(_value("MAIL_MAX_PARTS", "200")),
        max_seconds=float(_value("MAIL_MAX_SECONDS", "10")),
        keep_head_bytes=int(_value("MAIL_KEEP_HEAD_BYTES", str(256 * 1024))),
    )


def our_domain() -> str:
    return str(settings.SUPPORTDESK_MAIL_DOMAIN).lower()


def accepted_domains() -> set[str]:
    """Recipient domains the SMTP listener takes mail for ("*" takes any)."""
    extra = [d.strip().lower() for d in _value("INBOUND_DOMAINS", "").split(",") if d.strip()]
    return {our_domain(), *extra}


def ack_period_hours() -> int:
    """Automatic acknowledgements go at most once per sender per this many hours."""
    return int(_value("MAIL_ACK_PERIOD_HOURS", "24"))
