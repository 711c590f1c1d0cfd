"""A release whose write fails after its file was stored leaves no file behind (stored_files)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from supportdesk import stored_files
from supportdesk.learning import actions
from supportdesk.learning.models import Release


def test_given_a_release_whose_write_fails_after_storing_then_no_file_is_left(db, monkeypatch):
    # Given the release's event failing once its download file is stored
    class Broken:
        @staticmethod
        def create(**kwargs):  # noqa: ANN003, ANN205
            raise RuntimeError("database went away")

    monkeypatch.setattr(actions.LearningEvent, "objects", Broken)
    # When a manager adds a release
    with pytest.raises(RuntimeError):
        actions.add_release(None, product="Desk", version="9.1", released_on=date(2026, 3, 1),
                            upload=ContentFile(b"binary"), filename="desk-9.1.zip")
    # Then neither the release nor its file remains
    assert not Release.objects.exists()
    assert list(stored_files._files_under(default_storage, "releases/")) == []
