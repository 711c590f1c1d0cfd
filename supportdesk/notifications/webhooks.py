"""Outbound webhooks: JSON body signed with HMAC-SHA256 of "timestamp.body"; retried by the outbox."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from .models import OutboxItem, WebhookSubscription


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class UnsafeWebhookTarget(ValueError):
    """The URL is not http(s) or resolves to a private, loopback, link-local or reserved address (SSRF)."""


def is_public_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if getattr(settings, "SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE", False):
        return True
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, ValueError):
        return False
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return bool(infos)


def deliver_webhook(item: OutboxItem) -> None:
    subscription = WebhookSubscription.objects.filter(url=item.recipient, active=True).first()
    if subscription is None:
        return
    if not is_public_url(item.recipient):
        raise UnsafeWebhookTarget(f"refusing to post to {item.recipient}: not a public http(s) address")
    body = json.dumps({"topic": item.topic, "id": item.message_id, "data": item.payload}).encode()
    timestamp = int(time.time())
    response = httpx.post(item.recipient, content=body, timeout=10, follow_redirects=False, headers={
        "Content-Type": "application/json",
        "X-Supportdesk-Timestamp": str(timestamp),
        "X-Supportdesk-Signature": f"sha256={signature(subscription.secret, timestamp, body)}",
        "X-Supportdesk-Delivery": item.message_id,
    })
    response.raise_for_status()
