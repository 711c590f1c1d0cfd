"""Outbound webhooks: JSON body signed with HMAC-SHA256 of "timestamp.body"; retried by the outbox."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from supportdesk.revisions.cache import RevisionCache

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
    return public_address(url) is not None


def public_address(url: str) -> str | None:
    """The first address `url`'s host resolves to, when every address it resolves to is public; else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    addresses = [str(info[4][0]).split("%")[0] for info in infos]
    for text in addresses:
        address = ipaddress.ip_address(text)
        if not address.is_global or address.is_multicast:
            return None
    return addresses[0] if addresses else None


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """`url` aimed at the address that was checked, keeping the name for Host and for TLS (SNI and the
    certificate's name): resolving the name again to connect could answer a private address (DNS rebinding)."""
    parts = urlsplit(url)
    userinfo, _, host_port = parts.netloc.rpartition("@")
    host = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": host_port}, {"sni_hostname": str(parts.hostname)}


def _through_proxy(url: str) -> bool:
    """Whether httpx (trust_env) would send `url` through a proxy from the environment (HTTP(S)_PROXY, NO_PROXY)."""
    parts = urlsplit(url)
    return bool(urllib.request.getproxies().get(parts.scheme)) and not urllib.request.proxy_bypass(parts.hostname or "")


def deliver_webhook(item: OutboxItem) -> None:
    subscriptions = WebhookSubscription.objects.filter(url=item.recipient, active=True)
    if isinstance(item.headers, dict) and item.headers.get("subscription") is not None:
        subscriptions = subscriptions.filter(pk=item.headers["subscription"])  # its own secret, not another's
    subscription = subscriptions.order_by("id").first()
    if subscription is None:
        return  # removed since: nothing to deliver
    target: str = item.recipient
    host: dict[str, str] = {}
    extensions: dict[str, str] = {}
    if not getattr(settings, "SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE", False):
        address = public_address(item.recipient)
        if address is None:
            raise UnsafeWebhookTarget(f"refusing to post to {item.recipient}: not a public http(s) address")
        if not _through_proxy(item.recipient):  # behind an egress proxy, the proxy resolves the name
            target, host, extensions = _pinned(item.recipient, address)  # connect to the address just checked
    elif not is_public_url(item.recipient):
        raise UnsafeWebhookTarget(f"refusing to post to {item.recipient}: not an http(s) address")
    body = json.dumps({"topic": item.topic, "id": item.message_id, "data": item.payload}).encode()
    timestamp = int(time.time())
    with httpx.Client(timeout=10, follow_redirects=False) as http:
        response = http.post(target, content=body, extensions=extensions, headers={
            **host,
            "Content-Type": "application/json",
            "X-Supportdesk-Timestamp": str(timestamp),
            "X-Supportdesk-Signature": f"sha256={signature(subscription.secret, timestamp, body)}",
            "X-Supportdesk-Delivery": item.message_id,
        })
    response.raise_for_status()


# Subscriptions and publishing -----------------------------------------------------------------------

@dataclass(frozen=True)
class Subscriber:
    pk: int
    url: str
    topics: tuple[str, ...]


_active: RevisionCache[tuple[Subscriber, ...]] = RevisionCache("webhooks", limit=10)


def active_subscribers() -> tuple[Subscriber, ...]:
    """The active subscriptions, cached per process until one is written (the "webhooks" revision): every
    ticket event publishes, and a query for each would sit inside the event's write transaction."""
    return _active.require("active", lambda: tuple(
        Subscriber(s.pk, s.url, tuple(s.topics or ())) for s in WebhookSubscription.objects.filter(active=True)
        .order_by("id")))


def takes(subscription: WebhookSubscription | Subscriber, topic: str) -> bool:
    """Empty topics: everything; "*" too; "ticket.*" every topic under "ticket."; else the exact topic."""
    topics = subscription.topics or []
    if not topics or "*" in topics or topic in topics:
        return True
    return any(t.endswith(".*") and topic.startswith(t[:-1]) for t in topics)


def publish(topic: str, payload: dict[str, Any], subscribers: tuple[Subscriber, ...] | None = None) -> int:
    """Queue one signed delivery per active subscription taking `topic`. Call it inside the transaction of the
    change it announces: a rolled-back change leaves no delivery. `subscribers`: read before the transaction
    by a caller on a hot path (opening a ticket). Returns how many were queued."""
    from .actions import enqueue_webhook

    chosen = [s for s in (active_subscribers() if subscribers is None else subscribers) if takes(s, topic)]
    if not chosen:
        return 0
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))  # dates and decimals as the API writes them
    for subscriber in chosen:
        enqueue_webhook(topic=topic, url=subscriber.url, payload=data, subscription=subscriber.pk)
    return len(chosen)


def publish_ticket_event(ticket: Any, actor: Any, kind: str, source: str, data: dict[str, Any], at: Any,
                         subscribers: tuple[Subscriber, ...] | None = None) -> int:
    """A ticket event (the rows of the ticket's history) as a webhook topic: ids and changed values, never
    message bodies (an integration reads those through the API with its own token)."""
    return publish(kind, {"ticket_id": ticket.pk, "client_id": ticket.client_id, "event": kind, "source": source,
                          "actor_id": getattr(actor, "pk", None), "at": at, "data": data}, subscribers)
