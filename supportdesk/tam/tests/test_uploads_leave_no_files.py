"""A recording or receipt whose write fails after its file was stored leaves no file behind (stored_files)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.storage import default_storage

from supportdesk import stored_files
from supportdesk.tam import library, visits
from supportdesk.tam.models import LibraryItem, VisitExpense

from .factories import MP4, PDF


def _broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
    raise RuntimeError("database went away")


def _stored(folder: str) -> list[str]:
    return list(stored_files._files_under(default_storage, folder))


def test_given_a_recording_whose_write_fails_after_storing_then_no_file_is_left(world, monkeypatch):
    # Given the library's record of the upload failing once the video is stored
    monkeypatch.setattr(library, "log", _broken)
    # When the TAM uploads a recording
    with pytest.raises(RuntimeError):
        library.attach_recording(world["people"]["tam"], world["ticket"], chunks=[MP4], filename="fix.mp4")
    # Then neither a library item nor its video remains
    assert not LibraryItem.objects.exists()
    assert _stored("tam/recordings/") == []


def test_given_an_expense_whose_write_fails_after_storing_its_receipt_then_no_file_is_left(world, monkeypatch):
    visit = visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 7),
                              ends_on=date(2026, 12, 8))
    monkeypatch.setattr(visits, "log", _broken)
    with pytest.raises(RuntimeError):
        visits.add_expense(world["people"]["tam"], visit, category="lodging", amount="412.50", currency="usd",
                           incurred_on=date(2026, 12, 7), receipt=io.BytesIO(PDF), receipt_name="hotel.pdf")
    assert not VisitExpense.objects.exists()
    assert _stored("tam/receipts/") == []
