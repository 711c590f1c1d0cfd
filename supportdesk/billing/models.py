"""Billing. `BillableCharge` is the hand-off point: other contexts (event fees, onsite-visit travel
expenses) record one-off charges here through `billing.charges.record_charge`, and the monthly
invoice run picks up the uninvoiced ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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


class Invoice(models.Model):
    """Draft until issued; an issued invoice never changes (corrections are credit notes)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        CREDITED = "credited", "Credited"

    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "period_start", "currency"], name="one_invoice_per_client_month"),
        ]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    unit_amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
