"""The offering catalogue: offerings, their versions (what a contract buys) and severity definitions."""

from __future__ import annotations

from django.db import models

from .features import Features


class Offering(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    recurring = models.BooleanField(default=True, help_text="Billed as a monthly recurring charge")
    priced_per_user_tier = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> OfferingVersion:
        return self.versions.order_by("-version").first()  # type: ignore[return-value]


class OfferingVersion(models.Model):
    """An immutable snapshot of what an offering grants; a catalogue edit makes a new version."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    features = models.JSONField(default=dict)
    includes = models.ManyToManyField(Offering, blank=True, related_name="included_in_versions")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offering_id", "version"]
        constraints = [models.UniqueConstraint(fields=["offering", "version"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.offering.name} v{self.version}"

    @property
    def typed_features(self) -> Features:
        return Features.from_json(self.features)


class SeverityLevel(models.Model):
    """Severity definitions shown wherever a severity is chosen (seed text by default)."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=80)
    definition = models.TextField()

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"Severity {self.level} – {self.name}"


class CatalogueEvent(models.Model):
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
