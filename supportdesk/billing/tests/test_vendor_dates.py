"""Invoice dates belong to the vendor's zone (settings.TIME_ZONE, America/Toronto in tests), whoever reads or
issues them: pages show instants in the reader's own zone, but never an invoice's dates or numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from supportdesk.billing import actions
from supportdesk.errors import Invalid
from supportdesk.factories import StaffFactory

from .factories import premium_only

# 22:30 on 31 December in Toronto: already 1 January 2027 in UTC and in Tokyo.
NEW_YEARS_EVE_LATE = datetime(2027, 1, 1, 3, 30, tzinfo=UTC)


def test_a_manager_in_tokyo_issues_and_credits_on_the_vendors_date(db, as_person):
    # Given a client and a manager whose own zone is Asia/Tokyo, late on 31 December in the vendor's zone
    premium_only(name="Year End LLP")
    tokyo = StaffFactory(staff_roles=["manager"], timezone_name="Asia/Tokyo")
    with time_machine.travel(NEW_YEARS_EVE_LATE, tick=False):
        http = as_person(tokyo)
        # When the manager's run of December happens with their zone active (as in their page request) ...
        with timezone.override(ZoneInfo("Asia/Tokyo")):
            invoice = actions.issue_month(tokyo, "2026-12").issued[0]
            # ... January has not started for the vendor, even though it has in Tokyo
            with pytest.raises(Invalid, match="has not started yet"):
                actions.issue_month(tokyo, "2027-01")
        # and the manager credits the invoice from its page
        http.post(f"/billing/invoices/{invoice.pk}/", {"action": "credit_note", "amount": "100.00",
                                                      "reason": "Goodwill"})
        document = http.get(f"/billing/invoices/{invoice.pk}/").content.decode()
        exported = http.get(f"/billing/invoices/{invoice.pk}.csv").content.decode()
    # Then the numbers carry the vendor's year, 2026
    invoice.refresh_from_db()
    note = invoice.credit_notes.get()
    assert invoice.number.startswith("INV-2026-") and note.number.startswith("CN-2026-")
    # and the document (screen and PDF template) and the CSV date them 31 December, for the Tokyo reader too
    assert "<dt>Issued</dt><dd>2026-12-31</dd>" in document
    assert f"Credit note {note.number} (2026-12-31)" in document
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[-1]["kind"] == "credit_note" and rows[-1]["service_from"] == "2026-12-31"
