"""Saved replies ("macros"): text an agent inserts into a ticket's composer, shared with all staff or personal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from supportdesk.tickets.models import Status


class ReplyKind(models.TextChoices):
    PUBLIC = "public", "Public reply"
    INTERNAL = "internal", "Internal note"


# The statuses an agent sets by hand: every one a ticket may move to ("new" only ever starts a ticket).
REPLY_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s != Status.NEW)
STATUS_CHOICES = [(s.value, s.label) for s in REPLY_STATUSES]


class SavedReply(models.Model):
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Plain text with {{placeholders}}, filled in for the ticket it is used on")
    kind = models.CharField(max_length=10, choices=ReplyKind.choices, default=ReplyKind.PUBLIC)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, blank=True,
                              help_text="Offered as 'then set status to …' when used; empty: none")
    # Null: shared with all staff. CASCADE, not SET_NULL: a personal reply must never turn shared.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="saved_replies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "saved replies"
        constraints = [
            # Archived replies free their title, so a retired reply can be written anew.
            models.UniqueConstraint(Lower("title"), "owner", name="macros_personal_title_unique",
                                    condition=Q(owner__isnull=False, archived=False)),
            models.UniqueConstraint(Lower("title"), name="macros_shared_title_unique",
                                    condition=Q(owner__isnull=True, archived=False)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class MacroEventKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    ARCHIVED = "archived", "Archived"


class MacroEvent(models.Model):
    """Append-only history of a saved reply: who created, changed or archived it, and which fields."""

    reply = models.ForeignKey(SavedReply, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=MacroEventKind.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
