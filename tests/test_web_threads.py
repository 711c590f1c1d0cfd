"""How many requests a web process runs at once by default: one on SQLite (a second thread only waits
for the GIL), two on PostgreSQL (a second thread overlaps the round trips); SUPPORTDESK_WEB_THREADS wins."""

from __future__ import annotations

import os
import subprocess
import sys

from supportdesk.asgi import default_web_threads


def test_sqlite_runs_one_request_per_process():
    assert default_web_threads("supportdesk.sqlite_writer_queue") == 1


def test_postgresql_runs_two():
    assert default_web_threads("django.db.backends.postgresql") == 2


def test_by_default_the_configured_database_decides():
    from django.db import connection

    assert default_web_threads() == (1 if connection.vendor == "sqlite" else 2)


def test_the_environment_variable_wins():
    env = {**os.environ, "SUPPORTDESK_WEB_THREADS": "3", "SUPPORTDESK_TESTING": "1"}
    out = subprocess.run([sys.executable, "-c", "import supportdesk.asgi as a; print(a.WEB_THREADS)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "3"
