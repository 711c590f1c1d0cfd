"""WAL checkpoints on a background thread instead of inside a writer's commit.

By default SQLite checkpoints from whichever commit pushes the WAL past 1,000 pages: that commit copies
the WAL into the database file and fsyncs it while its process still holds the writer queue, so every
other writer waits. Measured on the ticket-opening path (bench/README.md, W1): commits took 0.16 ms at
the median but 5.6 ms at p99 and up to 15 ms. A process whose connections turn automatic checkpoints off
(`wal_autocheckpoint=0`) runs this thread instead: a PASSIVE checkpoint every `interval` seconds, on its
own connection, which waits for nobody and holds no write lock. Every such process runs one; the last
connection to close checkpoints what is left.

A PASSIVE checkpoint never lets the WAL start over while writers keep appending (SQLite restarts the
log only when a writer finds it fully copied), so under steady writes it would grow without end. When
it passes `restart_frames`, the thread takes the writer queue for one RESTART checkpoint: it copies the
few frames written since the PASSIVE one and waits for readers of older snapshots (milliseconds; at most
READER_WAIT, then it gives up until the next round), so the next writer starts the WAL over from its
beginning. Writers wait for that much, about once per `restart_frames` pages written. RESTART, not
TRUNCATE: the file keeps its size (about `restart_frames` pages) and is overwritten in place, which saves
a truncation and a sync per restart. Measured on W1 (bench/README.md): p99 132 ms with a TRUNCATE every
second, 80 ms with RESTART, 72 ms with RESTART and checkpoints every 0.25 s.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

_started: dict[tuple[int, str], threading.Thread] = {}
_lock = threading.Lock()


# How long a RESTART waits for readers of older snapshots while it holds the writer queue; a reader still
# there after that (a long export) makes it give up until the next round rather than stall every writer.
READER_WAIT = 0.1
RESTART_FRAMES = 16_384  # 64 MB of 4 KB pages
INTERVAL = 0.25  # seconds


def ensure_running(database: str, writer_queue: str, interval: float = INTERVAL,
                   restart_frames: int = RESTART_FRAMES) -> threading.Thread:
    """The checkpoint thread of this process for `database`, started on first call (again after a fork).

    `writer_queue`: the file whose flock writers queue on (base.DatabaseWrapper)."""
    key = (os.getpid(), str(Path(database).resolve()))
    with _lock:
        thread = _started.get(key)
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=_run, args=(key[1], writer_queue, interval, restart_frames),
                                      daemon=True, name=f"sqlite-checkpoint:{Path(database).name}")
            thread.start()
            _started[key] = thread
    return thread


def checkpoint(connection: sqlite3.Connection, writer_queue: str, restart_frames: int = RESTART_FRAMES) -> int:
    """One round: a PASSIVE checkpoint, then a RESTART one under the writer queue if the WAL is long.
    Returns the frames the WAL holds before the next writer (0 after a restart: it starts over)."""
    _, frames, _ = _pragma(connection, "PASSIVE")
    if frames < restart_frames:
        return frames
    fd = os.open(writer_queue, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        busy, frames, _ = _pragma(connection, "RESTART")
    finally:
        os.close(fd)  # closing drops the flock
    return frames if busy else 0


def open_connection(database: str) -> sqlite3.Connection:
    """The checkpoint thread's own connection: autocommit, and a busy wait of READER_WAIT only."""
    return sqlite3.connect(database, timeout=READER_WAIT, isolation_level=None, check_same_thread=False)


def _pragma(connection: sqlite3.Connection, mode: str) -> tuple[int, int, int]:
    # fetchall: the statement must run to its end, or it keeps a read snapshot open on the WAL.
    [(busy, frames, done)] = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
    return int(busy), int(frames), int(done)


def _run(database: str, writer_queue: str, interval: float, restart_frames: int) -> None:
    connection: sqlite3.Connection | None = None
    while True:  # a daemon thread: it ends with its process
        time.sleep(interval)
        try:
            if connection is None:
                connection = open_connection(database)
            checkpoint(connection, writer_queue, restart_frames)
        except sqlite3.Error:
            # The next round tries again on a fresh connection; commits never depended on this one.
            log.warning("WAL checkpoint of %s failed; retrying", database, exc_info=True)
            if connection is not None:
                connection.close()
            connection = None
