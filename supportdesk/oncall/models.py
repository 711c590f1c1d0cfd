"""The on-call rota: a weekly pattern per staff member (in that person's zone) and dated overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class RotaShift(models.Model):
    """Every `weekday` from `start` to `end` wall-clock time in the staff member's zone.

    An `end` at or before `start` runs past midnight into the next day (22:00-06:00); equal times
    mean 24 hours (00:00-00:00 is the whole day).
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rota_shifts")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["weekday", "start", "id"]
        constraints = [models.CheckConstraint(name="rota_weekday_0_6", condition=Q(weekday__gte=0, weekday__lte=6))]


class RotaOverride(models.Model):
    """`staff` is on call from `start` to `end` (UTC instants), whatever the weekly pattern says."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rota_overrides")
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(name="override_end_after_start", condition=Q(end__gt=F("start")))]


class RotaEvent(models.Model):
    """Append-only: rota changes and every on-call notification."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
