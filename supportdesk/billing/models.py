"""Billing. `BillableCharge` is the hand-off point: other contexts (event fees, onsite-visit travel
expenses) record one-off charges here through `billing.charges.record_charge`, and the monthly
invoice run picks up the uninvoiced ones.

Prices are data: `PriceListEntry` (a flat monthly list price per offering and currency, versioned by
effective date) and `TierPricing` (the 24/7 user-tier rule: tier size, step, cap and base MRC per
currency, also versioned). Issued invoices and credit notes never change: `save()`/`delete()` refuse it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImmutableRecord(Exception):
    """Raised by save()/delete() of an issued invoice, its lines, or a credit note."""


class ChargeKind(models.TextChoices):
    EVENT_FEE = "event_fee", "Event or webinar fee"
    TRAVEL_EXPENSE = "travel_expense", "Onsite visit travel expense (at cost)"
    OTHER = "other", "Other"


class BillableCharge(models.Model):
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=20, choices=ChargeKind.choices)
    description = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    incurred_on = models.DateField()
    source_ref = models.CharField(max_length=100, unique=True,
                                  help_text="What produced it, e.g. registration:12 or expense:5; one charge per source")
    receipt = models.FileField(upload_to="receipts/", blank=True, max_length=255)
    invoice_line = models.ForeignKey("billing.InvoiceLine", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="charges")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incurred_on", "id"]
        constraints = [models.CheckConstraint(name="charge_amount_not_negative", condition=Q(amount__gte=0))]
        indexes = [models.Index(fields=["client", "invoice_line"])]


class PriceListEntry(models.Model):
    """The list MRC of an offering in a currency from a date (the latest entry on or before a date wins)."""

    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="price_entries")
    currency = models.CharField(max_length=3)
    effective_from = models.DateField()
    monthly_price = models.DecimalField(max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offering_id", "currency", "-effective_from"]
        verbose_name_plural = "price list entries"
        constraints = [
            models.UniqueConstraint(fields=["offering", "currency", "effective_from"], name="one_price_per_day"),
            models.CheckConstraint(name="price_not_negative", condition=Q(monthly_price__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.offering} {self.monthly_price} {self.currency} from {self.effective_from}"


class TierPricing(models.Model):
    """Per-user-tier MRC (24/7 Support): users 1..tier_size pay base_mrc; each further tier adds step;
    more than cap users has no automatic price (custom pricing approved by a manager)."""

    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="tier_pricings")
    currency = models.CharField(max_length=3)
    effective_from = models.DateField()
    tier_size = models.PositiveIntegerField(default=10)
    step = models.DecimalField(max_digits=12, decimal_places=2, default=100)
    cap = models.PositiveIntegerField(default=100, help_text="Above this many users: custom pricing only")
    base_mrc = models.DecimalField(max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offering_id", "currency", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "currency", "effective_from"], name="one_tier_rule_per_day"),
            models.CheckConstraint(name="tier_size_positive", condition=Q(tier_size__gte=1)),
            models.CheckConstraint(name="tier_cap_at_least_one_tier", condition=Q(cap__gte=models.F("tier_size"))),
            models.CheckConstraint(name="tier_money_not_negative", condition=Q(step__gte=0, base_mrc__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.offering} tiers {self.currency} from {self.effective_from}"


class DocumentCounter(models.Model):
    """The next number of a series (invoices, credit notes) in a year; locked with select_for_update
    while a number is taken, so numbers have no gaps and no duplicates."""

    series = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]


class InvoiceQuerySet(models.QuerySet):
    """Bulk writes obey the same rule as save()/delete(): an issued invoice keeps its frozen fields and
    cannot be deleted or moved back to draft; only its status may move on (to paid or credited)."""

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) == {"status"}:  # as save(): each issued row only to one of its NEXT_STATUSES
            backwards = [s for s, nexts in Invoice.NEXT_STATUSES.items() if kwargs["status"] not in nexts]
            if self.filter(status__in=backwards).exists():
                raise ImmutableRecord(f"An issued invoice's status cannot go back to {kwargs['status']}.")
        elif self.exclude(status="draft").exists():
            raise ImmutableRecord("Issued invoices cannot change; issue a credit note.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(status="draft").exists():
            raise ImmutableRecord("Issued invoices cannot be deleted; issue a credit note.")
        return super().delete()


class Invoice(models.Model):
    """Draft until issued; an issued invoice never changes (corrections are credit notes). Only the
    status may still move forward (issued -> paid / credited, paid -> credited), never back to draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        CREDITED = "credited", "Credited"

    FROZEN_FIELDS = ("client_id", "number", "period_start", "period_end", "currency", "total", "issued_at", "billed_to",
                     "billed_to_address")
    NEXT_STATUSES = {"issued": ("issued", "paid", "credited"), "paid": ("paid", "credited"), "credited": ("credited",)}

    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    issued_at = models.DateTimeField(null=True, blank=True)
    billed_to = models.CharField(max_length=200, blank=True, default="",
                                 help_text="The client's name when issued (a later rename never rewrites the invoice)")
    billed_to_address = models.TextField(blank=True, default="", help_text="The client's address when issued")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "period_start", "currency"], name="one_invoice_per_client_month"),
            models.CheckConstraint(name="issued_invoice_has_number",
                                   condition=Q(status="draft") | Q(number__isnull=False, issued_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Invoice.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, "status").first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [f for f in self.FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ImmutableRecord(f"Invoice {stored['number']} is issued; {', '.join(changed)} cannot change.")
                if self.status not in self.NEXT_STATUSES.get(stored["status"], ()):
                    raise ImmutableRecord(f"Invoice {stored['number']} is {stored['status']}; its status cannot go "
                                          f"back to {self.status}.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Invoice.objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise ImmutableRecord(f"Invoice {self.number} is issued and cannot be deleted; issue a credit note.")
        return super().delete(*args, **kwargs)

    @property
    def billed_name(self) -> str:
        """Whom the invoice is made out to: the name frozen at issue; a draft shows the client's name now."""
        return self.billed_to or self.client.name

    @property
    def is_issued(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def month_label(self) -> str:
        return self.period_start.strftime("%B %Y")

    @property
    def period_last_day(self) -> date:
        return self.period_end - timedelta(days=1)


class LineKind(models.TextChoices):
    RECURRING = "recurring", "Monthly recurring charge"
    EVENT_FEE = "event_fee", "Event fee"
    TRAVEL_EXPENSE = "travel_expense", "Travel expense at cost"
    OTHER = "other", "Other charge"
    CREDIT = "credit", "Credit"
    ADJUSTMENT = "adjustment", "Adjustment for an earlier month"


class InvoiceLineQuerySet(models.QuerySet):
    """Lines of an issued invoice refuse bulk update, delete and bulk create, like save()/delete()."""

    def _touches_issued(self) -> bool:
        return self.exclude(invoice__status="draft").exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_issued():
            raise ImmutableRecord("The invoice is issued; its lines cannot change.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_issued():
            raise ImmutableRecord("The invoice is issued; its lines cannot be deleted.")
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list:
        objs = list(objs)
        if Invoice.objects.filter(pk__in={o.invoice_id for o in objs}).exclude(status="draft").exists():
            raise ImmutableRecord("The invoice is issued; lines cannot be added.")
        return super().bulk_create(objs, *args, **kwargs)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices, default=LineKind.RECURRING)
    description = models.CharField(max_length=255)
    explanation = models.CharField(max_length=255, blank=True, help_text="How the amount was worked out")
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    unit_amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    service_from = models.DateField(null=True, blank=True)
    service_to = models.DateField(null=True, blank=True, help_text="Exclusive")
    source_ref = models.CharField(max_length=100, blank=True)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Invoice.objects.filter(pk=self.invoice_id).exclude(status=Invoice.Status.DRAFT).exists():
            raise ImmutableRecord("The invoice is issued; its lines cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Invoice.objects.filter(pk=self.invoice_id).exclude(status=Invoice.Status.DRAFT).exists():
            raise ImmutableRecord("The invoice is issued; its lines cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def service_last_day(self) -> date | None:
        return self.service_to - timedelta(days=1) if self.service_to else None


class ClientCredit(models.Model):
    """A credit owed to a client (goodwill, SLA credit); the next invoice in its currency deducts it."""

    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="credits")
    description = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    granted_on = models.DateField()
    invoice_line = models.ForeignKey(InvoiceLine, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="credits")
    source_ref = models.CharField(max_length=100, null=True, blank=True, unique=True,
                                  help_text="What it corrects, once: order-line:<id>:<month>:credited-on:<month> "
                                            "for a contract reduced after that month was invoiced")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["granted_on", "id"]
        constraints = [models.CheckConstraint(name="credit_amount_positive", condition=Q(amount__gt=0))]


class CreditNoteQuerySet(models.QuerySet):
    """Credit notes never change once written, in bulk either."""

    def update(self, **kwargs: Any) -> int:
        if self.exists():
            raise ImmutableRecord("Credit notes are issued and cannot change.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exists():
            raise ImmutableRecord("Credit notes are issued and cannot be deleted.")
        return super().delete()


class CreditNote(models.Model):
    """A correction of an issued invoice, with its own gap-free number; never changes once written."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=30, unique=True)
    reason = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    issued_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The issuer's Idempotency-Key (API) or the invoice page's submission key, and the digest of what was sent
    # (invoice, amount, reason): a retried POST answers this note instead of issuing a second one. Nullable without
    # a default: adding them is ALTER TABLE ADD COLUMN, no table rebuild.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True)

    objects = CreditNoteQuerySet.as_manager()

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.CheckConstraint(name="credit_note_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_credit_note_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and CreditNote.objects.filter(pk=self.pk).exists():
            raise ImmutableRecord(f"Credit note {self.number} is issued and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord(f"Credit note {self.number} is issued and cannot be deleted.")


class BillingEvent(models.Model):
    """Append-only history of billing changes (prices, invoices, credit notes)."""

    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class InvoiceRun(models.Model):
    """A month's invoices issued in the background (billing.runs), with its progress and, once done, what it did.

    At most one run per month is queued or running at a time (a partial unique index), so a second start of the
    same month answers the run already under way instead of queuing another."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    month = models.DateField(help_text="First day of the invoiced month")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Clients to go through")
    done = models.PositiveIntegerField(default=0, help_text="Clients gone through")
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker claimed it (more than 1: resumed)")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when made and when the sweep queues it again: a run queued long ago never reached a worker.
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, help_text="First claimed by a worker")
    # Written at the claim and every few clients: a running run whose heartbeat is old has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    issued_invoices = models.ManyToManyField(Invoice, blank=True, related_name="+")
    already_issued = models.PositiveIntegerField(default=0, help_text="Invoices that existed before this run")
    problems = models.JSONField(default=list, blank=True, help_text="Clients and currencies not invoiced, and why")
    error = models.TextField(blank=True, help_text="Why the run failed")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["month"], condition=Q(state__in=["queued", "running"]),
                                    name="one_active_invoice_run_per_month"),
        ]

    def __str__(self) -> str:
        return f"Invoice run {self.pk} for {self.month:%Y-%m} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return 0 if not self.total else min(100, int(100 * self.done / self.total))
