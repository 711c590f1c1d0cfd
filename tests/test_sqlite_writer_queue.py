"""SQLite writers wait in a queue (a file lock) for the write lock instead of polling SQLite's busy
handler; the queue is released on commit, rollback and close, so nothing is left locked."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import connections

from supportdesk.sqlite_writer_queue.base import DatabaseWrapper


def wrapper(path, alias: str) -> DatabaseWrapper:  # noqa: ANN001
    settings = {**connections["default"].settings_dict, "NAME": str(path), "TEST": {"NAME": None}}
    settings.setdefault("OPTIONS", {})
    settings["OPTIONS"] = {**settings["OPTIONS"], "transaction_mode": "IMMEDIATE"}
    connection = DatabaseWrapper(settings, alias=alias)
    connection.ensure_connection()
    return connection


def begins_within(connection: DatabaseWrapper, seconds: float) -> threading.Event:
    started = threading.Event()

    def begin() -> None:
        connection._start_transaction_under_autocommit()
        started.set()

    threading.Thread(target=begin, daemon=True).start()
    started.wait(seconds)
    return started


def queue_is_taken(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("finish", ["commit", "rollback", "close"])
def test_a_second_writer_waits_until_the_first_finishes(tmp_path, finish, django_db_blocker):
    with django_db_blocker.unblock():
        queue_and_release(tmp_path, finish)


def queue_and_release(tmp_path, finish: str) -> None:  # noqa: ANN001
    first, second = wrapper(tmp_path / "q.sqlite3", "q1"), wrapper(tmp_path / "q.sqlite3", "q2")
    second.inc_thread_sharing()  # the second writer begins from another thread
    first._start_transaction_under_autocommit()
    assert queue_is_taken(f"{tmp_path / 'q.sqlite3'}.writers")
    waiting = begins_within(second, 0.3)
    assert not waiting.is_set()  # queued behind the first writer, not polling past it
    getattr(first, finish)()
    deadline = time.time() + 2
    while not waiting.is_set() and time.time() < deadline:
        time.sleep(0.01)
    assert waiting.is_set()
    second.commit()
    assert not queue_is_taken(f"{tmp_path / 'q.sqlite3'}.writers")
    second.dec_thread_sharing()
    second.close()
    if finish != "close":
        first.close()


def test_in_memory_databases_are_not_queued(db):
    connection = connections["default"]
    assert connection.vendor == "sqlite" or pytest.skip("SQLite only")
    assert connection._writer_queue_path() is None  # the test database lives in memory


def test_placeholders_convert_as_djangos_cursor_does_and_each_statement_is_converted_once(tmp_path, monkeypatch,
                                                                                        django_db_blocker):
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from supportdesk.sqlite_writer_queue import base

    monkeypatch.setattr(base, "_qmark_queries", {})
    django_db_blocker.unblock()
    connection = wrapper(tmp_path / "q.sqlite3", "qmark")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (a TEXT, b TEXT)")
            cursor.execute("INSERT INTO t VALUES (%s, %s)", ["50%% off", "x"])
            cursor.execute("SELECT a FROM t WHERE a LIKE '50%%' AND b = %s", ["x"])
            assert cursor.fetchall() == [("50%% off",)]
            cursor.execute("SELECT a FROM t WHERE a LIKE '50%%' AND b = %s", ["y"])
            assert cursor.fetchall() == []
            cursor.execute("SELECT :name AS n", {"name": 7})  # named parameters: Django's own path
            assert cursor.fetchall() == [(7,)]
        assert isinstance(connection.connection.cursor(factory=base.QmarkCachingCursor), SQLiteCursorWrapper)
        django_converted = SQLiteCursorWrapper.convert_query(None, "SELECT a FROM t WHERE a LIKE '50%%' AND b = %s")  # type: ignore[arg-type]
        assert base._qmark_queries["SELECT a FROM t WHERE a LIKE '50%%' AND b = %s"] == django_converted
        assert len(base._qmark_queries) == 2  # the INSERT and the SELECT, each once
    finally:
        connection.close()
        django_db_blocker.restore()


def test_the_placeholder_cache_stops_growing_at_its_limit(tmp_path, monkeypatch, django_db_blocker):
    from supportdesk.sqlite_writer_queue import base

    monkeypatch.setattr(base, "_qmark_queries", {})
    monkeypatch.setattr(base, "QMARK_CACHE_MAX", 3)
    django_db_blocker.unblock()
    connection = wrapper(tmp_path / "q.sqlite3", "qmark-limit")
    try:
        with connection.cursor() as cursor:
            for n in range(1, 7):
                cursor.execute("SELECT " + ", ".join(["%s"] * n), list(range(n)))
                assert cursor.fetchone() == tuple(range(n))
        assert len(base._qmark_queries) == 3
    finally:
        connection.close()
        django_db_blocker.restore()


def test_a_connection_opens_the_queue_file_once_for_all_its_writes(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        connection = wrapper(tmp_path / "q.sqlite3", "q-once")
        try:
            connection._start_transaction_under_autocommit()
            first_fd = connection._writer_queue_fd
            connection.commit()
            assert not queue_is_taken(f"{tmp_path / 'q.sqlite3'}.writers")
            connection._start_transaction_under_autocommit()
            assert connection._writer_queue_fd == first_fd
            assert queue_is_taken(f"{tmp_path / 'q.sqlite3'}.writers")
            connection.rollback()
        finally:
            connection.close()
        assert connection._writer_queue_fd is None  # closed with the connection


def test_a_forked_child_queues_on_its_own_open_file_not_the_parents(tmp_path, django_db_blocker):
    """flock belongs to the open file; a child sharing the parent's would pass a lock the parent holds."""
    path = f"{tmp_path / 'q.sqlite3'}.writers"
    with django_db_blocker.unblock():
        connection = wrapper(tmp_path / "q.sqlite3", "q-fork")
        try:
            connection._start_transaction_under_autocommit()  # the parent holds the queue
            pid = os.fork()
            if pid == 0:  # the child: would it get past the parent?
                try:
                    fcntl.flock(connection._writer_queue_file(path), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os._exit(0)  # queued behind the parent, as it should be
                os._exit(1)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            connection.rollback()
        finally:
            connection.close()


def test_file_databases_keep_temporary_storage_in_memory(tmp_path, django_db_blocker):
    """No statement journal created and unlinked in /var/tmp per write (bench/README.md, W1)."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("the pragmas live in the SQLite settings; this run is on PostgreSQL")
    with django_db_blocker.unblock():
        connection = wrapper(tmp_path / "q.sqlite3", "q-temp")
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA temp_store")
                assert cursor.fetchone() == (2,)  # 2 = MEMORY
        finally:
            connection.close()
