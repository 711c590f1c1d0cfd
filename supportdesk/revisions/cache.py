"""Per-process caches of derived data, keyed on a named revision (supportdesk.revisions.models)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connection

T = TypeVar("T")


def current(name: str) -> int | None:
    """The revision's value now (as this connection sees it), or None when its row is missing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM revisions_revision WHERE name = %s", [name])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


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
