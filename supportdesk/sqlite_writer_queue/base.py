"""SQLite where writers queue for the write lock instead of polling for it.

With IMMEDIATE transactions every transaction takes SQLite's write lock at BEGIN. A writer that finds
it taken falls into SQLite's busy handler, which sleeps in growing steps (up to 100 ms) between tries,
so the lock often sits idle while writers sleep, and the unlucky ones wait seconds. Here each
transaction first takes an exclusive flock on a file beside the database: waiting writers block in the
kernel and the next one starts the moment the previous one commits. The OS drops the flock if a
process dies, so a crash never leaves the queue locked. In-memory databases (tests) are not queued.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base

from . import checkpointer

QMARK_CACHE_MAX = 4096  # distinct statements; IN lists of every length could otherwise grow it forever
_qmark_queries: dict[str, str] = {}


class QmarkCachingCursor(base.SQLiteCursorWrapper):
    """Django's SQLite cursor, remembering each statement's conversion from "%s" to "?" placeholders.

    Django converts with a regular expression on every execute; the ORM and the prepared inserts send the
    same few hundred statements again and again, and on the ticket-opening path (W1) the conversion was
    about 2-5 % of a request (bench/README.md)."""

    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _qmark_queries.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_qmark_queries) < QMARK_CACHE_MAX:
                _qmark_queries[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_queue_fd: int | None = None
    _writer_queue_pid = 0
    _in_writer_queue = False

    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=QmarkCachingCursor)

    def _writer_queue_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writers"

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db() and getattr(settings, "SUPPORTDESK_SQLITE_BACKGROUND_CHECKPOINTS", False):
            checkpointer.ensure_running(self.settings_dict["NAME"], str(self._writer_queue_path()),
                                        interval=settings.SUPPORTDESK_SQLITE_CHECKPOINT_INTERVAL,
                                        restart_frames=settings.SUPPORTDESK_SQLITE_WAL_RESTART_FRAMES)
            connection.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        path = self._writer_queue_path()
        if path is not None and not self._in_writer_queue:
            fcntl.flock(self._writer_queue_file(path), fcntl.LOCK_EX)
            self._in_writer_queue = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._leave_writer_queue()
            raise

    def _writer_queue_file(self, path: str) -> int:
        """This connection's descriptor of the queue file, opened once (an open and a close per write saved).
        A forked child opens its own: flock belongs to the open file, which a fork would share with the parent,
        and two holders of one open file do not exclude each other."""
        if self._writer_queue_fd is None or self._writer_queue_pid != os.getpid():
            self._writer_queue_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._writer_queue_pid = os.getpid()
        return self._writer_queue_fd

    def _leave_writer_queue(self) -> None:
        if self._in_writer_queue:
            self._in_writer_queue = False
            fcntl.flock(self._writer_queue_fd, fcntl.LOCK_UN)  # type: ignore[arg-type]  # set with the flag

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_writer_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_writer_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._leave_writer_queue()
            fd, self._writer_queue_fd = self._writer_queue_fd, None
            if fd is not None and self._writer_queue_pid == os.getpid():
                os.close(fd)
