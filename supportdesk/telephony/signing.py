"""The phone-system webhook signature: HMAC-SHA256 over "<timestamp>.<raw body>" with a shared secret.

Headers: X-Supportdesk-Timestamp (Unix seconds) and X-Supportdesk-Signature ("sha256=<hex>").
Outside the window, a bad signature, or a signature already accepted (a replay) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from supportdesk.errors import Conflict, DomainError

from .errors import PhoneError
from .models import WebhookReceipt

WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(timestamp: str | None, signature: str | None, body: bytes, *, now: float | None = None) -> str:
    """Return the verified signature, or raise (401 for bad/stale, 409 for a replay). Stores nothing."""
    secret = str(settings.SUPPORTDESK.get("PHONE_WEBHOOK_SECRET") or "")
    if not secret:
        raise DomainError(PhoneError.NOT_CONFIGURED, "The phone webhook secret is not configured.", status=503)
    if not timestamp or not signature:
        raise DomainError(PhoneError.BAD_SIGNATURE, "X-Supportdesk-Timestamp and X-Supportdesk-Signature are required.",
                          status=401)
    try:
        stamp = int(timestamp)
    except ValueError:
        raise DomainError(PhoneError.BAD_SIGNATURE, "X-Supportdesk-Timestamp must be Unix seconds.", status=401) from None
    expected = sign(secret, stamp, body)
    if not hmac.compare_digest(expected.encode(), _normalised(signature).encode()):
        raise DomainError(PhoneError.BAD_SIGNATURE, "The signature does not match the body and timestamp.", status=401)
    if abs((now if now is not None else time.time()) - stamp) > WINDOW_SECONDS:
        raise DomainError(PhoneError.STALE_TIMESTAMP,
                          f"The timestamp is more than {WINDOW_SECONDS} seconds away from our clock.", status=401)
    if WebhookReceipt.objects.filter(signature=expected.removeprefix("sha256=")).exists():
        raise Conflict(PhoneError.REPLAYED, "This delivery was already accepted (replay refused).")
    return expected.removeprefix("sha256=")


def _normalised(signature: str) -> str:
    """"sha256=<hex>" as documented; a bare hex digest and upper-case hex are the same signature (phone systems
    differ in how they write it), compared in constant time all the same."""
    value = signature.strip()
    if value[:7].lower() == "sha256=":
        value = value[7:]
    return f"sha256={value.lower()}"


def remember(signature: str) -> None:
    """Inside the processing transaction: remember the delivery and forget ones past the window."""
    now = timezone.now()
    WebhookReceipt.objects.filter(received_at__lt=now - timedelta(seconds=2 * WINDOW_SECONDS)).delete()
    WebhookReceipt.objects.create(signature=signature, received_at=now)
