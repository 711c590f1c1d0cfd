"""Inbound mail: every message is stored raw, durably, before it is acknowledged, then processed apart."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InboundChannel(models.TextChoices):
    SMTP = "smtp", "SMTP listener"
    IMAP = "imap", "IMAP mailbox"
    WEBHOOK = "webhook", "Provider webhook"


class InboundStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    PROCESSED = "processed", "Processed"


class Outcome(models.TextChoices):
    THREADED = "threaded", "Added to a ticket"
    NEW_TICKET = "new_ticket", "Opened a ticket"
    REVIEW = "review", "Needs review (unknown sender)"
    DUPLICATE = "duplicate", "Duplicate delivery"
    AUTO = "auto", "Automatic reply or bulk mail"
    LOOP = "loop", "Our own mail coming back"
    BOUNCE = "bounce", "Bounce / delivery report"
    UNPARSEABLE = "unparseable", "Could not be read"
    REJECTED_SIZE = "rejected_size", "Too large"
    DISMISSED = "dismissed", "Dismissed by staff"


# Outcomes a person still has to look at (the review queue).
NEEDS_REVIEW = (Outcome.REVIEW, Outcome.UNPARSEABLE, Outcome.REJECTED_SIZE)


class InboundMessage(models.Model):
    channel = models.CharField(max_length=10, choices=InboundChannel.choices)
    raw = models.BinaryField(help_text="The message exactly as received (for huge ones: the first bytes)")
    size = models.PositiveBigIntegerField(help_text="Size of the message as received, in bytes")
    truncated = models.BooleanField(default=False, help_text="Over the size limit: only the head is kept")
    sha256 = models.CharField(max_length=64, help_text="Of the raw bytes as received")
    message_id = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(max_length=64, help_text="Of the message without trace headers")
    envelope_from = models.CharField(max_length=320, blank=True, help_text="SMTP MAIL FROM / Return-Path")
    envelope_to = models.CharField(max_length=1000, blank=True)
    sender = models.CharField(max_length=320, blank=True, help_text="From address (identity), lower case")
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    error = models.TextField(blank=True, help_text="Why it went to review, or what failed")
    attempts = models.PositiveSmallIntegerField(default=0)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket_message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Duplicate deliveries (same Message-ID and same content) collapse into one row.
            models.UniqueConstraint(fields=["message_id", "content_hash"], name="one_inbound_per_message"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_pending"),
            models.Index(fields=["outcome", "received_at"], name="inbound_outcome"),
        ]

    def __str__(self) -> str:
        return f"inbound #{self.pk} {self.subject or self.message_id}"

    @property
    def needs_review(self) -> bool:
        return self.status == InboundStatus.PROCESSED and self.outcome in NEEDS_REVIEW


class IntakeEvent(models.Model):
    """Append-only: what happened to an inbound message, by whom."""

    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
