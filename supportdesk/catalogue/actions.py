"""Catalogue edits make a new OfferingVersion: what an old contract bought is never rewritten."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.errors import Invalid

from .features import FeatureError, Features
from .models import CatalogueEvent, Offering, OfferingVersion


def publish_version(actor: User | None, *, offering: Offering, features: dict, effective_from: date,
                    summary: str = "", includes: list[str] | None = None) -> OfferingVersion:
    """A new version from `features`: the features given replace the current version's (top-level keys; a key
    left out keeps its current value, so editing one number never silently drops the others). `includes`:
    offering codes this one includes (None: as the current version)."""
    if not isinstance(features, dict):
        raise Invalid("catalogue.bad_features", "Invalid features: features must be an object of feature names to "
                                                "values", fields={"features": "an object"})
    included = _included_offerings(offering, includes)
    with transaction.atomic():
        latest = offering.versions.select_for_update().order_by("-version").first()
        try:
            typed = Features.from_json({**(latest.features if latest else {}), **features})
            typed.check_publishable()
        except (FeatureError, TypeError) as exc:
            feature = exc.feature if isinstance(exc, FeatureError) else ""
            raise Invalid("catalogue.bad_features", f"Invalid features: {exc}",
                          fields={f"features.{feature}" if feature else "features": str(exc)}) from exc
        if latest and effective_from < latest.effective_from:
            raise Invalid("catalogue.version_before_latest",
                          f"A new version cannot take effect before the current one ({latest.effective_from}).",
                          fields={"effective_from": "before the current version"})
        version = OfferingVersion.objects.create(offering=offering, version=(latest.version + 1) if latest else 1,
                                                 effective_from=effective_from, features=typed.to_json(),
                                                 summary=summary)
        if included is not None:
            version.includes.set(included)
        elif latest:
            version.includes.set(latest.includes.all())
        CatalogueEvent.objects.create(actor=actor, kind="offering.version_published",
                                      data={"offering": offering.code, "version": version.version})
    return version


def _included_offerings(offering: Offering, codes: list[str] | None) -> list[Offering] | None:
    if codes is None:
        return None
    found = {o.code: o for o in Offering.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise Invalid("catalogue.unknown_offering", f"Unknown offering(s) to include: {', '.join(unknown)}.",
                      fields={"includes": "unknown offering"})
    if offering.code in found:
        raise Invalid("catalogue.includes_itself", f"{offering.name} cannot include itself.",
                      fields={"includes": "includes itself"})
    return list(found.values())
