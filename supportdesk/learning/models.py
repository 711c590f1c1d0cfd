"""Releases and downloads (R13), the training database (R15), events and registrations (R16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Release(models.Model):
    """A downloadable software release; the file goes through Django storage."""

    product = models.CharField(max_length=100)
    version = models.CharField(max_length=50)
    released_on = models.DateField()
    notes = models.TextField(blank=True)
    file = models.FileField(upload_to="releases/", max_length=255)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-released_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["product", "version"], name="one_release_per_product_version")]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"


class Download(models.Model):
    """One successful download: who, for which client, when."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("accounts.Client", null=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["release", "at"])]


class TrainingCategory(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "training categories"

    def __str__(self) -> str:
        return self.name


class TrainingKind(models.TextChoices):
    COURSE = "course", "Course"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document"


class TrainingItem(models.Model):
    """A course, video or document. Title and summary are the public catalogue; body and link the content."""

    kind = models.CharField(max_length=10, choices=TrainingKind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    url = models.URLField(blank=True, help_text="Video or course link")
    category = models.ForeignKey(TrainingCategory, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="items")
    published = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingAccess(models.Model):
    """One opening of a training item's content."""

    item = models.ForeignKey(TrainingItem, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("accounts.Client", null=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "at"])]


class EventKind(models.TextChoices):
    EVENT = "event", "Event"
    WEBINAR = "webinar", "Webinar"


class Event(models.Model):
    """An event or webinar. Instants in UTC; `timezone` is the zone it is announced in."""

    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.WEBINAR)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="Address or meeting link")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="America/Toronto")
    capacity = models.PositiveIntegerField()
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sequence = models.PositiveIntegerField(default=0, help_text="Bumped when registrants' calendars must update "
                                                                "(ICS SEQUENCE)")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancellation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="event_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="event_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(name="event_fee_not_negative", condition=Q(fee__gte=0)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Registration(models.Model):
    """A seat at an event. `seat` numbers the active registrations 1..capacity; the partial unique
    constraint lets the database refuse two concurrent registrations taking the same seat."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations")
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="registrations")
    seat = models.PositiveIntegerField()
    list_fee = models.DecimalField(max_digits=10, decimal_places=2)
    discount_percent = models.PositiveSmallIntegerField(default=0)
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "seat"], condition=Q(cancelled_at__isnull=True),
                                    name="one_active_registration_per_seat"),
            models.UniqueConstraint(fields=["event", "user"], condition=Q(cancelled_at__isnull=True),
                                    name="one_active_registration_per_user"),
            models.CheckConstraint(name="registration_seat_positive", condition=Q(seat__gte=1)),
        ]

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class LearningEvent(models.Model):
    """Append-only history of changes in this context (releases, training content, events, registrations)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
