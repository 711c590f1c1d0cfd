"""Live chat: a conversation a client user starts from the widget, and its transcript.

A conversation waits until an agent picks it up; then it becomes (or updates) a ticket and every
later message is mirrored into that ticket. `client_msg_id` makes a reconnect's resend idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for an agent"
    ACTIVE = "active", "With an agent"
    CLOSED = "closed", "Closed"


class Conversation(models.Model):
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="chat_conversations")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_conversations")
    subject = models.CharField(max_length=200, blank=True)
    start_key = models.CharField(max_length=64, help_text="Chosen by the widget; a resent start opens nothing new")
    status = models.CharField(max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.WAITING)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="chat_conversations",
                               help_text="The ticket this chat became or updates")
    created_at = models.DateTimeField()
    picked_up_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [models.UniqueConstraint(fields=["requester", "start_key"], name="one_conversation_per_start_key")]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.status})"


class ChatMessage(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_staff = models.BooleanField(default=False)
    client_msg_id = models.CharField(max_length=64, help_text="Chosen by the sender; a resend with the same id is stored once")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "author", "client_msg_id"], name="one_chat_message_per_client_id"),
        ]


class ChatEvent(models.Model):
    """Append-only history of a conversation: started, picked up, closed."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
