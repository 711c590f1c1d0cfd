"""A charge whose write fails after its receipt was stored leaves no file behind (stored_files)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk import stored_files
from supportdesk.billing import actions
from supportdesk.billing.models import BillableCharge

from .factories import maintenance_only


def test_given_a_charge_whose_write_fails_after_storing_its_receipt_then_no_file_is_left(db, monkeypatch):
    # Given the charge's event failing once the receipt is stored
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "_event", broken)
    # When billing records a charge with a receipt
    with pytest.raises(RuntimeError):
        actions.add_charge(None, client=maintenance_only(name="Receipt Firm"), kind="travel_expense",
                           description="Taxi", amount="10.00", currency="USD", incurred_on=date(2026, 3, 3),
                           receipt=SimpleUploadedFile("taxi.pdf", b"%PDF-1.4 taxi"))
    # Then neither the charge nor its receipt remains
    assert not BillableCharge.objects.exists()
    assert list(stored_files._files_under(default_storage, "receipts/")) == []
