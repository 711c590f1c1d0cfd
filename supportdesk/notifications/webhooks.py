"""Outbound webhooks: JSON body signed with HMAC-SHA256 of "timestamp.body"; retried by the outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from .models import OutboxItem, WebhookSubscription


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def deliver_webhook(item: OutboxItem) -> None:
    subscription = WebhookSubscription.objects.filter(url=item.recipient, active=True).first()
    if subscription is None:
        return
    body = json.dumps({"topic": item.topic, "id": item.message_id, "data": item.payload}).encode()
    timestamp = int(time.time())
    response = httpx.post(item.recipient, content=body, timeout=10, follow_redirects=False, headers={
        "Content-Type": "application/json",
        "X-Supportdesk-Timestamp": str(timestamp),
        "X-Supportdesk-Signature": f"sha256={signature(subscription.secret, timestamp, body)}",
        "X-Supportdesk-Delivery": item.message_id,
    })
    response.raise_for_status()
