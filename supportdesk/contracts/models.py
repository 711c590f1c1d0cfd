"""Service Order Forms, their addenda, and order lines. Nothing is overwritten: an addendum adds,
ends or replaces lines from its effective date, and entitlements are derived from what is in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrderKind(models.TextChoices):
    FORM = "form", "Service Order Form"
    ADDENDUM = "addendum", "Service Order Addendum"


class ServiceOrder(models.Model):
    number = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=10, choices=OrderKind.choices)
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda")
    signed_on = models.DateField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive end; empty means open-ended")
    currency = models.CharField(max_length=3, default="USD")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client_id", "effective_from", "id"]
        constraints = [
            models.CheckConstraint(name="order_end_after_start",
                                   condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from"))),
            models.CheckConstraint(name="addendum_amends_a_form",
                                   condition=Q(kind="form", amends__isnull=True) | Q(kind="addendum", amends__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def form(self) -> ServiceOrder:
        return self.amends or self


class LineAction(models.TextChoices):
    ADD = "add", "Add"
    END = "end", "End a line"
    CHANGE = "change", "Replace a line (e.g. new user count)"


class OrderLine(models.Model):
    """One bought offering. Its period: [starts_on, ends_on) cut by its form's end and by any later
    addendum line that ends or replaces it (derived, never written back)."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="lines")
    action = models.CharField(max_length=10, choices=LineAction.choices, default=LineAction.ADD)
    target = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors",
                               help_text="The earlier line this addendum line ends or replaces")
    offering_version = models.ForeignKey("catalogue.OfferingVersion", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="lines")
    quantity = models.PositiveIntegerField(default=1)
    user_count = models.PositiveIntegerField(null=True, blank=True)
    agreed_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                       help_text="Monthly price agreed; empty means the list price")
    price_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(name="line_end_after_start",
                                   condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on"))),
            models.CheckConstraint(name="line_target_iff_end_or_change",
                                   condition=Q(action="add", target__isnull=True) | ~Q(action="add") & Q(target__isnull=False)),
        ]

    def __str__(self) -> str:
        what = self.offering_version or (self.target.offering_version if self.target else None)
        return f"{self.get_action_display()} {what} ({self.order.number})"


class ContractEvent(models.Model):
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="contract_events")
    order = models.ForeignKey(ServiceOrder, null=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
