"""No lost mail in: kill -9 the worker while it threads stored messages; after restart (the worker
again, then the documented sweep `process_pending`, which the periodic job runs every minute) every
message is threaded, once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .harness import kill9, ops, product_env, stop, wait_for, worker

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

MESSAGES = 300


def processed(database: Path) -> int:
    """Read straight from the product's SQLite file: polling through ops.py (a new process each time) took
    longer than the worker needs to thread all the messages, so the kill came too late."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        (count,) = connection.execute("SELECT count(*) FROM intake_inboundmessage WHERE status = 'processed'").fetchone()
    return int(count)


def test_given_the_worker_killed_between_storing_and_threading_then_each_message_is_threaded_once(tmp_path):
    env = product_env(tmp_path / "data")
    ops(env, "migrate")
    stored = ops(env, "intake-store", str(MESSAGES))  # stored and committed, a job queued for each
    assert len(stored) == MESSAGES
    log = tmp_path / "worker.log"
    proc = worker(env, log)
    try:
        wait_for(lambda: processed(tmp_path / "data" / "supportdesk.sqlite3") >= 5, 45,
                 "the worker to thread some messages", step=0.02)
    finally:
        kill9(proc)
    mid = ops(env, "intake-status")
    assert mid["statuses"].get("pending", 0) > 0, "killed too late to prove anything; lower the threshold"
    proc = worker(env, log)  # restart: the queued jobs that were not taken yet run now
    try:
        ops(env, "intake-sweep")  # what the periodic job does every minute: the job lost with the kill
        wait_for(lambda: ops(env, "intake-status")["statuses"] == {"processed": MESSAGES}, 60, "all threaded")
    finally:
        stop(proc)
    final = ops(env, "intake-status")
    assert final["email_messages"] == MESSAGES  # one ticket message per stored mail ...
    assert final["distinct_sources"] == MESSAGES  # ... never two for the same Message-ID
    assert final["tickets_from_mail"] == MESSAGES
