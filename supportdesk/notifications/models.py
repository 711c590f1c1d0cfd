"""The transactional outbox: every email, notification and webhook is a row written with the change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OutboxKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DEAD = "dead", "Failed for good"


class OutboxItem(models.Model):
    kind = models.CharField(max_length=10, choices=OutboxKind.choices, default=OutboxKind.EMAIL)
    topic = models.CharField(max_length=60, help_text="What the message is about, e.g. ticket.reply, sla.warning")
    recipient = models.CharField(max_length=320)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    payload = models.JSONField(default=dict)
    attachments = models.JSONField(default=list, help_text="[{filename, content_type, content_b64}]")
    message_id = models.CharField(max_length=255, unique=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]


class WebhookSubscription(models.Model):
    url = models.URLField()
    secret = models.CharField(max_length=100)
    topics = models.JSONField(default=list, help_text="Topics to deliver; empty means all")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who subscribed (none from a script), with their Idempotency-Key (API) or the screen's submission key and the
    # digest of what was sent (actions.subscribe): a retried POST answers this subscription, with its secret, instead
    # of a second one that would deliver every event twice. Nullable without a default: ALTER TABLE ADD COLUMN.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="one_subscription_per_idempotency_key"),
        ]
