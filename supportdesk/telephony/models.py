"""The phone line: calls (from the phone system, Twilio, or logged by hand) and the raw events.

`CallEvent.event_id` is unique: a provider event is processed once, whatever order events arrive in.
`WebhookReceipt` remembers accepted signatures for the replay window, so a replay is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Provider(models.TextChoices):
    WEBHOOK = "webhook", "Phone system webhook"
    TWILIO = "twilio", "Twilio"
    MANUAL = "manual", "Logged by hand"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class CallState(models.TextChoices):
    RINGING = "ringing", "Ringing"
    ANSWERED = "answered", "Answered"
    ENDED = "ended", "Ended"
    VOICEMAIL = "voicemail", "Voicemail"


# Later states win whatever order their events arrive in.
STATE_RANK = {CallState.RINGING: 0, CallState.ANSWERED: 1, CallState.ENDED: 2, CallState.VOICEMAIL: 3}


class Call(models.Model):
    provider = models.CharField(max_length=10, choices=Provider.choices)
    call_id = models.CharField(max_length=100, help_text="The provider's call id (CallSid for Twilio)")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.INBOUND)
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32, blank=True)
    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text="The client person whose number called, when known")
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.RINGING)
    started_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True, help_text="Stored, never fetched by supportdesk")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField()
    # A call logged by hand: the agent's Idempotency-Key (API) or the log form's submission key, and the digest of
    # what was sent (actions.record_call): a retried POST answers this call instead of logging (and telling the
    # ticket) twice. Nullable without a default: ALTER TABLE ADD COLUMN, no table rebuild.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "call_id"], name="one_call_per_provider_id"),
            models.UniqueConstraint(fields=["logged_by", "idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="one_logged_call_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} call {self.call_id}"


class CallEvent(models.Model):
    event_id = models.CharField(max_length=150, unique=True)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CallState.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["occurred_at", "id"]


class WebhookReceipt(models.Model):
    """An accepted signed delivery, kept for the timestamp window so a replay is refused."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(db_index=True)
