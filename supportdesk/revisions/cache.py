"""Per-process caches of derived data, keyed on a named revision (supportdesk.revisions.models)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.db import connection

T = TypeVar("T")


def current(name: str) -> int | None:
    """The revision's value now (as this connection sees it), or None when its row is missing.

    Inside `snapshot_per_request` the first call reads every revision in one query and later calls reuse
    those values until the request's own connection writes anything: opening a ticket consults five
    caches on three revisions, and these reads were a tenth of its cost (bench/README.md, W1)."""
    snapshot = _snapshot.get()
    if snapshot is None:
        return _read_one(name)
    if not snapshot:
        snapshot.update(_read_all())
        snapshot[_READ] = 1
    return snapshot.get(name)


@contextmanager
def snapshot_per_request() -> Iterator[None]:
    """The scope of one web request (supportdesk.web.middleware): revision values read once, read again
    after any statement of this connection that is not a SELECT (a write may have moved them: the
    triggers do that in the same statement). Writes by other connections meanwhile are seen by the next
    request, as if this one had run a moment earlier."""
    token = _snapshot.set({})
    try:
        with connection.execute_wrapper(_forget_after_writes):
            yield
    finally:
        _snapshot.reset(token)


_READ = "\0read"  # marks a snapshot that has been read (a revision table may be empty)
_snapshot: contextvars.ContextVar[dict[str, int | None] | None] = contextvars.ContextVar(
    "revision_snapshot", default=None)


def _forget_after_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        if not (isinstance(sql, str) and sql.lstrip()[:6].upper() == "SELECT"):  # a composed statement: assume a write
            snapshot = _snapshot.get()
            if snapshot:
                snapshot.clear()


def _read_one(name: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM revisions_revision WHERE name = %s", [name])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _read_all() -> dict[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, value FROM revisions_revision")
        return {name: int(value) for name, value in cursor.fetchall()}


class RevisionCache(Generic[T]):
    """Answers keyed (key, revision value). With the row missing nothing is cached. Bounded: when full it
    starts again empty (entries of old revisions are never asked for again)."""

    def __init__(self, revision: str, limit: int = 20_000) -> None:
        self.revision = revision
        self.limit = limit
        self._entries: dict[tuple[Hashable, int], T] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T | None]) -> T | None:
        """The cached answer, or compute() stored under the current revision (None is not stored)."""
        value = current(self.revision)
        if value is None:
            return compute()
        found = self._entries.get((key, value))
        if found is not None:
            return found
        answer = compute()
        if answer is not None:
            with self._lock:
                if len(self._entries) >= self.limit:
                    self._entries.clear()
                self._entries[(key, value)] = answer
        return answer

    def require(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`get` for a computation that always answers."""
        found = self.get(key, compute)
        if found is None:
            raise ValueError(f"{self.revision} cache: no answer for {key!r}")
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
