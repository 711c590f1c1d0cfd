"""WAL checkpoints run on a background thread, not inside a writer's commit, and the WAL stays bounded
under steady writes (supportdesk/sqlite_writer_queue/checkpointer.py)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.db import connections

from supportdesk.sqlite_writer_queue import checkpointer
from supportdesk.sqlite_writer_queue.base import DatabaseWrapper


def database_with_a_long_wal(path: Path, rows: int = 400) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    for i in range(rows):
        writer.execute("INSERT INTO t (body) VALUES (?)", ["x" * 2000 + str(i)])
    return writer


def wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def frames_in_wal(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0][1])


def test_given_a_wal_past_the_restart_size_when_checkpointed_then_the_next_write_starts_it_over(tmp_path):
    path = tmp_path / "db.sqlite3"
    writer = database_with_a_long_wal(path)
    size = wal_bytes(path)
    assert size > 400 * 2000
    reader = sqlite3.connect(path, isolation_level=None)
    assert frames_in_wal(reader) > 400
    assert checkpointer.checkpoint(reader, f"{path}.writers", restart_frames=10) == 0
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (400,)
    writer.execute("INSERT INTO t (body) VALUES ('after')")
    assert frames_in_wal(reader) <= 3  # written from the WAL's beginning, not appended
    assert wal_bytes(path) == size  # overwritten in place, never grown
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (401,)


def test_given_a_short_wal_then_a_passive_checkpoint_copies_it_and_leaves_the_file(tmp_path):
    path = tmp_path / "db.sqlite3"
    database_with_a_long_wal(path, rows=20)
    left = checkpointer.checkpoint(sqlite3.connect(path, isolation_level=None), f"{path}.writers")
    assert left > 0  # frames stay in the WAL (all copied); the next writer restarts it
    assert wal_bytes(path) > 0


def test_given_a_writer_in_the_queue_then_the_truncating_checkpoint_waits_for_it(tmp_path):
    path = tmp_path / "db.sqlite3"
    database_with_a_long_wal(path)
    queue = os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(queue, fcntl.LOCK_EX)
    done = threading.Event()

    def run() -> None:
        checkpointer.checkpoint(sqlite3.connect(path, isolation_level=None, check_same_thread=False),
                                f"{path}.writers", restart_frames=10)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert not done.wait(0.3)
    os.close(queue)
    assert done.wait(5)


def test_given_a_long_reader_then_the_restart_gives_up_quickly_and_frees_the_writer_queue(tmp_path):
    path = tmp_path / "db.sqlite3"
    writer = database_with_a_long_wal(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # holds a snapshot that uses the WAL
    writer.execute("INSERT INTO t (body) VALUES ('after the reader started')")
    checkpointing = checkpointer.open_connection(str(path))
    started = time.monotonic()
    left = checkpointer.checkpoint(checkpointing, f"{path}.writers", restart_frames=10)
    assert time.monotonic() - started < 2
    assert left > 0  # not restarted: the reader still needs the WAL
    queue = os.open(f"{path}.writers", os.O_RDWR)
    try:
        fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again: writers are not held up
    finally:
        os.close(queue)
    reader.execute("COMMIT")
    assert checkpointer.checkpoint(checkpointing, f"{path}.writers", restart_frames=10) == 0


def test_the_thread_is_started_once_per_process_and_database(tmp_path):
    path = tmp_path / "db.sqlite3"
    database_with_a_long_wal(path, rows=1)
    first = checkpointer.ensure_running(str(path), f"{path}.writers", interval=0.05)
    again = checkpointer.ensure_running(str(path), f"{path}.writers", interval=0.05)
    assert first is again and first.is_alive() and first.daemon


def autocheckpoint_pages(path: Path, alias: str) -> int:
    """What a backend connection to the SQLite file `path` sets as its automatic checkpoint (0: none)."""
    # Built from the defaults Django filled in, but always SQLite (the suite also runs on PostgreSQL).
    wrapper = DatabaseWrapper({**connections["default"].settings_dict, "ENGINE": "supportdesk.sqlite_writer_queue",
                               "NAME": str(path), "OPTIONS": {}, "TEST": {"NAME": None}}, alias=alias)
    wrapper.ensure_connection()
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return int(cursor.fetchone()[0])
    finally:
        wrapper.close()


def test_given_background_checkpoints_then_the_backends_connections_never_checkpoint_themselves(
        tmp_path, settings, django_db_blocker):
    settings.SUPPORTDESK_SQLITE_BACKGROUND_CHECKPOINTS = True
    with django_db_blocker.unblock():
        assert autocheckpoint_pages(tmp_path / "bg.sqlite3", "bg") == 0
    assert any(t.name == "sqlite-checkpoint:bg.sqlite3" and t.is_alive() for t in threading.enumerate())


def test_by_default_in_tests_connections_keep_sqlites_own_checkpoints(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        assert autocheckpoint_pages(tmp_path / "fg.sqlite3", "fg") == 1000
