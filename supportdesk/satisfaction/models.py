"""Customer satisfaction surveys: one per ticket solve, answered good/bad through a link (the token is the
credential, so only its hash is stored), and their append-only event history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_COMMENT = 2000


class Rating(models.TextChoices):
    GOOD = "good", "Good"
    BAD = "bad", "Bad"


class Survey(models.Model):
    # No index of its own on ticket: the (ticket, solved_at) unique constraint starts with it.
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="surveys", db_index=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    solved_at = models.DateTimeField(help_text="The solve this survey asks about (the ticket's solved_at then)")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token (hex)")
    sent_at = models.DateTimeField()
    rating = models.CharField(max_length=4, choices=Rating.choices, null=True, blank=True)
    comment = models.TextField(blank=True, max_length=MAX_COMMENT)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "solved_at"], name="one_survey_per_solve"),
            models.CheckConstraint(name="survey_rating_good_or_bad",
                                   condition=Q(rating__isnull=True) | Q(rating__in=["good", "bad"])),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered_at")]

    def __str__(self) -> str:
        return f"Survey of #{self.ticket_id} ({self.rating or 'unanswered'})"


class SurveyEventKind(models.TextChoices):
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    CHANGED = "changed", "Answer changed"


class SurveyEvent(models.Model):
    """Append-only: what happened to a survey and when (the requester answers without signing in)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=SurveyEventKind.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
