"""An article file whose write fails after it was stored leaves no file behind (stored_files)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from supportdesk import stored_files
from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import ArticleAttachment

from .factories import ArticleFactory, SectionFactory


def test_given_an_article_file_whose_write_fails_after_storing_then_no_file_is_left(db, monkeypatch):
    # Given the article's history failing once the file is stored
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database went away")

    article = ArticleFactory(section=SectionFactory(name="Guides"))
    monkeypatch.setattr(actions, "record_event", broken)
    # When an editor attaches a file
    with pytest.raises(RuntimeError):
        actions.add_attachment(None, article, upload=ContentFile(b"steps"), filename="steps.txt")
    # Then neither the row nor the file remains
    assert not ArticleAttachment.objects.exists()
    assert list(stored_files._files_under(default_storage, "help/")) == []
