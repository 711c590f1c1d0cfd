"""Uploaded files kept beside the rows that name them (attachments, recordings, receipts, article files, releases).

A file is stored before its row is written (so a row never names a file that is not there), which leaves a window
where the file exists without its row: the transaction may fail or roll back, or the process may die. Two guards
close it:

- `removed_on_failure()` around the save and the transaction: when the block raises, the files saved in it are
  deleted at once. Nested blocks hand their files to the outermost one, whose transaction is the one that commits.
- `sweep_orphans()` (a daily job, `tickets.tasks.sweep_orphan_files_task`): a file in one of the upload folders
  that no row names, older than a day, is deleted. It catches what the first guard cannot see: a killed process,
  an outer transaction rolled back after the block, a row deleted later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import DatabaseError
from django.db.models.fields.files import FieldFile
from django.utils import timezone

# (app.Model, file field, the folder its files are stored under): every upload kept in storage.
UPLOAD_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("tickets.Attachment", "file", "attachments/"),
    ("helpcenter.ArticleAttachment", "file", "help/"),
    ("tam.LibraryItem", "file", "tam/recordings/"),
    ("tam.VisitExpense", "receipt", "tam/receipts/"),
    ("billing.BillableCharge", "receipt", "receipts/"),
    ("learning.Release", "file", "releases/"),
)
# Longer than any upload's save-then-commit: a file younger than this may belong to a transaction still running.
ORPHAN_GRACE = timedelta(days=1)

_scopes: ContextVar[tuple[list[tuple[Storage, str]], ...]] = ContextVar("stored_files_scopes", default=())


@contextmanager
def removed_on_failure() -> Iterator[None]:
    """Delete the files `save` stored inside this block if the block raises (its transaction rolled back)."""
    saved: list[tuple[Storage, str]] = []
    outer = _scopes.get()
    token = _scopes.set((*outer, saved))
    try:
        yield
    except BaseException:
        _scopes.reset(token)
        for storage, name in saved:
            if not _named_by_a_row(name):  # the block may fail after its transaction committed (a callback)
                storage.delete(name)
        raise
    _scopes.reset(token)
    if outer:  # the outer block's transaction decides: hand the files up
        outer[-1].extend(saved)


def _named_by_a_row(name: str) -> bool:
    """Whether a row (committed, or of the transaction still open) names the stored file. False when the database
    cannot answer: a transaction broken by the failure is being rolled back, so its rows are gone."""
    try:
        return any(apps.get_model(label).objects.filter(**{field: name}).exists() for label, field, _ in UPLOAD_FIELDS)
    except DatabaseError:
        return False


def save(field_file: FieldFile, name: str, content: File) -> None:
    """Store an upload for a row not saved yet (the row is saved by the caller, in its transaction)."""
    field_file.save(name, content, save=False)
    scopes = _scopes.get()
    if scopes:
        scopes[-1].append((field_file.storage, field_file.name or ""))


def sweep_orphans(now: datetime | None = None, grace: timedelta = ORPHAN_GRACE,
                  storage: Storage | None = None) -> list[str]:
    """Delete the files of the upload folders that no row names and that are older than `grace`; their names."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - grace
    named = _named_files()
    removed = []
    for _model, _field, folder in UPLOAD_FIELDS:
        for name in _files_under(storage, folder):
            if name not in named and _older_than(storage, name, cutoff):
                storage.delete(name)
                removed.append(name)
    return removed


def _older_than(storage: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except FileNotFoundError:  # removed since it was listed (a failed upload's own cleanup): nothing to sweep
        return False


def _named_files() -> set[str]:
    """Every stored name a row holds, over all upload fields: one file may be named by two rows (a TAM receipt
    is named by the expense and by its billable charge)."""
    named: set[str] = set()
    for label, field, _folder in UPLOAD_FIELDS:
        model = apps.get_model(label)
        named.update(model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator())
    return named


def _files_under(storage: Storage, folder: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing was ever uploaded there
        return
    for file in files:
        yield f"{folder}{file}"
    for directory in directories:
        yield from _files_under(storage, f"{folder}{directory}/")
