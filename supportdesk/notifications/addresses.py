"""Our own mail address, as outbound mail names it (X-Loop) and inbound mail recognises it (loops)."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings


def from_address() -> str:
    """DEFAULT_FROM_EMAIL without any display name, as written ("Support <Support@x.example>" -> Support@x.example)."""
    return parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or str(settings.DEFAULT_FROM_EMAIL)


def our_address() -> str:
    """`from_address` in lower case, for comparing with what arrives."""
    return from_address().lower()
