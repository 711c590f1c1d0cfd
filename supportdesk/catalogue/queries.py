from __future__ import annotations

from django.db.models import QuerySet

from .models import Offering, SeverityLevel


def offerings_with_versions() -> QuerySet[Offering]:
    return Offering.objects.filter(active=True).prefetch_related("versions", "versions__includes")


def severity_levels() -> list[SeverityLevel]:
    return list(SeverityLevel.objects.all())
