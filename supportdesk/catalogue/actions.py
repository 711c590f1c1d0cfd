"""Catalogue edits make a new OfferingVersion: what an old contract bought is never rewritten."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.errors import Invalid

from .features import FeatureError, Features
from .models import CatalogueEvent, Offering, OfferingVersion


def publish_version(actor: User | None, *, offering: Offering, features: dict, effective_from: date,
                    summary: str = "") -> OfferingVersion:
    try:
        typed = Features.from_json(features)
    except (FeatureError, TypeError) as exc:
        raise Invalid("catalogue.bad_features", f"Invalid features: {exc}", fields={"features": str(exc)}) from exc
    with transaction.atomic():
        latest = offering.versions.select_for_update().order_by("-version").first()
        if latest and effective_from < latest.effective_from:
            raise Invalid("catalogue.version_before_latest",
                          f"A new version cannot take effect before the current one ({latest.effective_from}).",
                          fields={"effective_from": "before the current version"})
        version = OfferingVersion.objects.create(offering=offering, version=(latest.version + 1) if latest else 1,
                                                 effective_from=effective_from, features=typed.to_json(),
                                                 summary=summary)
        if latest:
            version.includes.set(latest.includes.all())
        CatalogueEvent.objects.create(actor=actor, kind="offering.version_published",
                                      data={"offering": offering.code, "version": version.version})
    return version
