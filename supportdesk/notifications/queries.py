"""Reads for the system admin's webhook screens: subscriptions and the outbox rows queued for each."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.errors import NotFound
from supportdesk.policy.notifications import can_manage_webhooks

from .models import OutboxItem, OutboxKind, WebhookSubscription


def _require_admin(user: Any) -> None:
    if not can_manage_webhooks(user):
        raise NotFound("webhook")  # others do not learn that the screen exists, as in the API


def subscriptions(user: Any) -> QuerySet[WebhookSubscription]:
    """Every subscription, active first, newest first; never the secret (deferred, and no template shows it)."""
    _require_admin(user)
    return WebhookSubscription.objects.defer("secret").order_by("-active", "-id")


def subscription(user: Any, subscription_id: int) -> WebhookSubscription:
    _require_admin(user)
    found = WebhookSubscription.objects.defer("secret").filter(pk=subscription_id).first()
    if found is None:
        raise NotFound("webhook")
    return found


def deliveries(user: Any, subscription: WebhookSubscription) -> QuerySet[OutboxItem]:
    """The subscription's deliveries, newest first. The recipient filter narrows the scan to its URL; the
    subscription id in the headers tells apart two subscriptions on one URL (each signs with its own secret)."""
    _require_admin(user)
    return (OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK, recipient=subscription.url,
                                      headers__subscription=subscription.pk)
            .only("id", "topic", "message_id", "status", "attempts", "last_error", "created_at", "sent_at",
                  "next_attempt_at")
            .order_by("-id"))
