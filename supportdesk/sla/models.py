"""Models of the sla context: calendar settings, per-metric rules, the clocks of tickets and their history.

All instants are stored in UTC. A clock's due instant is derived (engine: `calendars.BusinessCalendar`)
from its start, target, calendar and pauses; it is stored so queues and jobs can query it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CalendarKind(models.TextChoices):
    ALWAYS = "24x7", "24×7"
    WEEKDAYS_24H = "weekdays-24h", "Monday–Friday, 24 hours a day"
    BUSINESS_HOURS = "business-hours", "Regular business hours"


class Metric(models.TextChoices):
    INITIAL_RESPONSE = "initial_response", "Initial response"
    NEXT_UPDATE = "next_update", "Next update"
    RESOLUTION = "resolution", "Resolution"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    # Stopped with no verdict: the ticket was solved, closed or merged away before any staff response, in time.
    # No response happened, so it counts neither as met nor as breached (docs/sla-clocks.md).
    STOPPED = "stopped", "Stopped: no response needed"


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)
# Clocks whose due instant orders the queue (Ticket.sla_due_at), while not stopped: running ones, and breached ones
# not yet answered (their due instant is past, so an overdue ticket leads the queue instead of sinking below tickets
# still in time).
QUEUE_DUE_STATES = (ClockState.RUNNING, ClockState.BREACHED)


class CalendarConfig(models.Model):
    """An edited calendar. Without a row a kind uses the vendor defaults of settings.SUPPORTDESK."""

    kind = models.CharField(max_length=20, choices=CalendarKind.choices, unique=True)
    zone = models.CharField(max_length=64, help_text="IANA time zone, e.g. America/Toronto")
    # {"0": ["08:00-17:00"], ...} Monday=0; empty for the kind's own pattern (24x7, Mon–Fri 24h).
    weekly = models.JSONField(default=dict, blank=True)
    holidays_spec = models.CharField(max_length=20, blank=True, help_text="Country[-subdivision], e.g. CA-ON")
    custom_holidays = models.JSONField(default=list, blank=True, help_text="Extra closed local dates, ISO format")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} ({self.zone})"


class MetricRule(models.Model):
    """Per metric: which ticket statuses pause its clocks and how early a warning goes out."""

    metric = models.CharField(max_length=20, choices=Metric.choices, unique=True)
    pause_statuses = models.JSONField(default=list, blank=True)
    warning_minutes = models.PositiveIntegerField(default=15, help_text="Minutes of calendar (wall-clock) time before the due instant; a warning that falls while the calendar is closed is sent at its next opening")

    def __str__(self) -> str:
        return self.metric


class Clock(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="clocks",
                               db_index=False)  # sla_clock_ticket_metric starts with it
    metric = models.CharField(max_length=20, choices=Metric.choices)
    severity = models.PositiveSmallIntegerField()
    target_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Null: best efforts")
    calendar = models.CharField(max_length=20, choices=CalendarKind.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField()
    # [[start_iso, end_iso or null], ...] in UTC; the last one may be open (paused now).
    pauses = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="When the objective was satisfied, breached at the stop, or stopped with no verdict")
    breached_at = models.DateTimeField(null=True, blank=True)
    overrun_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Business time, frozen at breach")

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_state_warn"),
            models.Index(fields=["calendar", "state"], name="sla_clock_calendar_state"),
            models.Index(fields=["ticket", "metric"], name="sla_clock_ticket_metric"),
        ]
        constraints = [
            models.CheckConstraint(name="sla_clock_overrun_iff_breached",
                                   condition=Q(breached_at__isnull=True) | Q(overrun_seconds__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of #{self.ticket_id}: {self.state}"

    @property
    def has_target(self) -> bool:
        return self.target_minutes is not None


class ClockEvent(models.Model):
    """Append-only history of a clock: started, paused, resumed, recomputed, warned, breached, met."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=20)
    at = models.DateTimeField()
    internal = models.BooleanField(default=False, help_text="Staff only (warnings)")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class RecomputeJob(models.Model):
    """Recompute of the open clocks of a calendar after an edit; shows progress."""

    calendar = models.CharField(max_length=20, choices=CalendarKind.choices)
    calendar_version = models.PositiveIntegerField()
    state = models.CharField(max_length=10, default="queued")  # queued, running, done, failed
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    # Set when a worker claims the job and at each batch it writes: a running job whose heartbeat is old has
    # lost its worker (sla.actions.requeue_stale_recomputes); a long one still going keeps it fresh.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)
