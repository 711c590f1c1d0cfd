"""Run N callables really at the same time, each thread on its own database connection.

SQLite's in-memory test database cannot take concurrent writers (shared-cache locking fails at once
instead of waiting), so for the duration of a test `shared_file_database` copies it into a file in WAL mode
that every thread's connection opens (with the project's IMMEDIATE transactions and busy timeout).
On PostgreSQL each thread simply gets its own connection to the test database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, connections


@contextmanager
def shared_file_database(tmp_path: Path) -> Iterator[None]:
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    target = sqlite3.connect(tmp_path / "concurrent.sqlite3")
    memory.backup(target)
    target.close()
    original = connection.settings_dict["NAME"]
    connection.connection = None  # `memory` keeps the in-memory database alive meanwhile
    connection.settings_dict["NAME"] = str(tmp_path / "concurrent.sqlite3")  # the dict every thread's wrapper reads
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        connection.connection = memory


@dataclass
class Run:
    results: list[Any]
    errors: list[BaseException]
    peak_in_flight: int
    backends: set[Any] = field(default_factory=set)


def run_concurrently(count: int, prepare: Callable[[int], Any], act: Callable[[int, Any], Any]) -> Run:
    """`prepare(i)` runs in thread i before the barrier (e.g. sign in); `act(i, prepared)` runs after it,
    with all `count` threads released together. Records the peak number of calls in flight and the
    distinct database backends used (PostgreSQL backend pid / SQLite file per thread connection)."""
    barrier = threading.Barrier(count, timeout=60)
    lock = threading.Lock()
    state = {"in_flight": 0, "peak": 0}
    results: list[Any] = [None] * count
    errors: list[BaseException] = []
    backends: set[Any] = set()

    def worker(i: int) -> None:
        try:
            prepared = prepare(i)
            connection.ensure_connection()
            raw = connection.connection
            backends.add(raw.info.backend_pid if connection.vendor == "postgresql" else (id(raw), connection.settings_dict["NAME"]))
            barrier.wait()
            with lock:
                state["in_flight"] += 1
                state["peak"] = max(state["peak"], state["in_flight"])
            try:
                results[i] = act(i, prepared)
            finally:
                with lock:
                    state["in_flight"] -= 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return Run(results, errors, state["peak"], backends)
