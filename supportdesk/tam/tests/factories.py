"""Factories of the tam tests: built through the actions, like the shared ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from supportdesk.catalogue.actions import publish_version
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import ServiceOrder
from supportdesk.tickets.models import Category

# Minimal valid files for the magic-byte checks.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def guides_category(name: str = "Configuration") -> Category:
    return Category.objects.get_or_create(name=name, defaults={"guides_enabled": True})[0]


def extra_visit_addendum(form: ServiceOrder, *, on: date, visits: int = 2) -> ServiceOrder:
    """An addendum adding an offering that grants more onsite visits per year."""
    offering, _ = Offering.objects.get_or_create(code="extra-visit", defaults={"name": "Extra onsite visit"})
    if not offering.versions.exists():
        publish_version(None, offering=offering, features={"onsite_visits_per_year": visits},
                        effective_from=date(2020, 1, 1))
    return record_order(None, client=form.client, number=f"SOA-{form.pk}-{on}", kind="addendum", signed_on=on,
                        effective_from=on, amends=form, currency=form.currency,
                        lines=[LineInput(offering="extra-visit", agreed_price=Decimal("500.00"))])
