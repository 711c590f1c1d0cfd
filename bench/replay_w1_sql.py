"""The database's own share of W1: the SQL of one ticket creation, captured from a real request, replayed
N times through Python's sqlite3 module with no Django in between (same file, same pragmas, BEGIN
IMMEDIATE ... COMMIT). What W1 costs above this is Python: Django, ninja and supportdesk's own code.

    DJANGO_SETTINGS_MODULE=bench.settings SUPPORTDESK_DATA_DIR=/tmp/sd-profile PYTHONPATH=. \\
        .venv/bin/python bench/replay_w1_sql.py [--requests 1000]

Uses a data dir seeded by bench/profile_handlers.py or bench/seed_supportdesk.py; writes real rows.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["SUPPORTDESK_TESTING"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX  # noqa: E402
from django.test import Client  # noqa: E402


def captured_statements(client: Client, body: str) -> list[tuple[str, tuple[Any, ...]]]:
    statements: list[tuple[str, tuple[Any, ...]]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%") if params else sql,
                           tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    return statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    from supportdesk.accounts.actions import create_token
    from supportdesk.accounts.models import User

    _, token = create_token(None, user=User.objects.get(email="agent@demo.supportdesk.local"), name="replay")
    requester = User.objects.get(email="chris@hartleymoss.example")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"subject": "Records sync fails after upgrade", "body": "x" * 180,
                       "requester_id": requester.pk, "severity": 2})
    for _ in range(20):
        client.post("/api/v1/tickets/", body, content_type="application/json")
    statements = [s for s in captured_statements(client, body) if not s[0].startswith("BEGIN")]
    print(f"{len(statements)} statements per W1 request besides BEGIN/COMMIT:")
    for sql, params in statements:
        print(f"   {sql[:110]}  ({len(params)} params)")
    raw = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        raw.execute(f"PRAGMA {pragma}")
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        for sql, params in statements:
            if "notifications_outboxitem" in sql:  # Message-IDs are unique
                params = tuple(f"<{uuid.uuid4().hex}@replay>" if isinstance(v, str) and v.startswith("<")
                               and v.endswith(">") else v for v in params)
            raw.execute(sql, params).fetchall()
        raw.execute("COMMIT")
        times.append(1000 * (time.perf_counter() - started))
    print(f"replayed through sqlite3: median {statistics.median(times):.3f} ms, mean {statistics.fmean(times):.3f} ms "
          f"over {args.requests} (a checkpoint now and then: the mean is above the median)")


if __name__ == "__main__":
    main()
