"""The TAM's work for a client: case scrub call series and their occurrences, onsite visits and their
travel expenses, upgrade plans with proposed windows, and the client's library (guides, recordings)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"


class CallSeries(models.Model):
    """A recurring case scrub / project management call, defined in local wall-clock time of `zone`."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="call_series")
    tam = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                            help_text="The organizer; follows TAM reassignments")
    title = models.CharField(max_length=200, default="Case scrub call")
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    local_time = models.TimeField()
    zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    starts_on = models.DateField()
    attendees = models.JSONField(default=list, help_text="Invitee emails")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    generated_until = models.DateTimeField(
        null=True, blank=True,
        help_text="The latest instant of the current pattern a call was generated for; the job continues after "
                  "it, whatever moving or cancelling single calls did to their own times")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The planner's Idempotency-Key (API) or the client page's submission key, and the digest of what was sent
    # (calls.create_series): a retried POST answers this series instead of planning a second one, whose calls
    # would invite everyone again. Nullable without a default: ALTER TABLE ADD COLUMN, no table rebuild.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["client_id", "id"]
        constraints = [
            models.CheckConstraint(name="series_weekday_0_6", condition=Q(weekday__gte=0, weekday__lte=6)),
            models.CheckConstraint(name="series_duration_5_480",
                                   condition=Q(duration_minutes__gte=5, duration_minutes__lte=480)),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_series_per_idempotency_key"),
        ]

    @property
    def weekday_name(self) -> str:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[self.weekday]


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


def new_uid() -> str:
    return f"{uuid.uuid4()}@supportdesk-tam"


class CallOccurrence(models.Model):
    """One call; `uid` never changes, `sequence` goes up on every change sent to invitees."""

    series = models.ForeignKey(CallSeries, on_delete=models.CASCADE, related_name="occurrences")
    number = models.PositiveIntegerField(help_text="1 for the first call of the series, and so on")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    uid = models.CharField(max_length=120, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED)
    agenda = models.JSONField(default=dict, blank=True)
    agenda_generated_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="one_occurrence_per_number"),
            models.CheckConstraint(name="occurrence_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]


class FollowUp(models.Model):
    occurrence = models.ForeignKey(CallOccurrence, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(max_length=500)
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class OnsiteVisit(models.Model):
    """An onsite visit in contract year `contract_year_start`; `slot` 1..allowed per year. The partial
    unique constraint refuses two live visits in the same slot, the client row lock keeps count."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="onsite_visits")
    contract_year_start = models.DateField()
    slot = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    purpose = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=300, blank=True)
    attendees = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The planner's Idempotency-Key (API) or the client page's submission key, and the digest of what was sent
    # (visits.schedule_visit): a retried POST answers this visit instead of taking a second (purchased) slot.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "contract_year_start", "slot"], condition=~Q(status="cancelled"),
                                    name="one_live_visit_per_year_slot"),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_visit_per_idempotency_key"),
            models.CheckConstraint(name="visit_ends_on_or_after_start", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="visit_slot_positive", condition=Q(slot__gte=1)),
        ]


class ExpenseCategory(models.TextChoices):
    AIRFARE = "airfare", "Airfare"
    LODGING = "lodging", "Lodging"
    GROUND = "ground", "Ground transport"
    MEALS = "meals", "Meals"
    OTHER = "other", "Other"


def receipt_path(instance: VisitExpense, filename: str) -> str:
    return f"tam/receipts/{instance.visit_id}/{uuid.uuid4().hex}"


class VisitExpense(models.Model):
    visit = models.ForeignKey(OnsiteVisit, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(max_length=10, choices=ExpenseCategory.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True,
                                        help_text="Contract-currency units per one unit of `currency`")
    billed_amount = models.DecimalField(max_digits=12, decimal_places=2)
    billed_currency = models.CharField(max_length=3)
    incurred_on = models.DateField()
    receipt = models.FileField(upload_to=receipt_path, max_length=255, blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)
    receipt_type = models.CharField(max_length=60, blank=True)
    charge = models.ForeignKey("billing.BillableCharge", null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The recorder's Idempotency-Key (API) or the web form's submission key: a retried POST returns this expense.
    # `idempotency_hash` is the digest of what was sent (visits._fingerprint), which tells a retry from a key reused
    # for another expense. Both nullable without a default: adding them was ALTER TABLE ADD COLUMN, no table rebuild.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incurred_on", "id"]
        constraints = [
            models.CheckConstraint(name="expense_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_expense_per_idempotency_key"),
        ]


class UpgradeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed by the client"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed / rolled back"
    CANCELLED = "cancelled", "Cancelled"


LIVE_UPGRADE = (UpgradeStatus.PROPOSED, UpgradeStatus.CONFIRMED)


class UpgradePlan(models.Model):
    """From `installed_version` to `target_version` of `product` (release text; the API names the matching catalogue Release, `queries.upgrades_qs`)."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="upgrade_plans")
    product = models.CharField(max_length=120)
    installed_version = models.CharField(max_length=60)
    target_version = models.CharField(max_length=60)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=UpgradeStatus.choices, default=UpgradeStatus.PROPOSED)
    window_starts_at = models.DateTimeField(null=True, blank=True, help_text="The confirmed window")
    window_ends_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "window_starts_at"])]


class UpgradeWindow(models.Model):
    plan = models.ForeignKey(UpgradePlan, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(name="window_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at")))]


class LibraryKind(models.TextChoices):
    GUIDE = "guide", "Step-by-step guide"
    RECORDING = "recording", "Screen recording"


def recording_path(instance: LibraryItem, filename: str) -> str:
    return f"tam/recordings/{instance.client_id}/{uuid.uuid4().hex}"


class LibraryItem(models.Model):
    """A resolution guide (a help-center article) or a screen recording, attached to a ticket and kept
    in the client's self-service library."""

    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="library_items")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="library_items")
    kind = models.CharField(max_length=10, choices=LibraryKind.choices)
    title = models.CharField(max_length=200)
    article = models.ForeignKey("helpcenter.Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=recording_path, max_length=255, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A guide's: the TAM's Idempotency-Key (API) or the guide page's submission key, and the digest of what was sent
    # (library.place_guide): a retried POST answers this guide instead of publishing its article a second time.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="library_guide_has_article_recording_has_file",
                                   condition=Q(kind="guide", article__isnull=False) | Q(kind="recording") & ~Q(file="")),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_library_item_per_idempotency_key"),
        ]


class FeedToken(models.Model):
    """The secret in a TAM's calendar feed URL; rotating it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tam_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)


class TamEvent(models.Model):
    """Append-only history of the TAM context's changes."""

    client = models.ForeignKey("accounts.Client", null=True, on_delete=models.CASCADE, related_name="tam_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
