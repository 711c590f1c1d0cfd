"""Time the W1 and W2 handlers and the floor in-process, profiler off: mean, median and p95 of N requests.

    DJANGO_SETTINGS_MODULE=bench.settings SUPPORTDESK_DATA_DIR=/tmp/sd-w2 PYTHONPATH=. \\
        .venv/bin/python bench/time_handlers.py [--requests 500] [--only w1,w2,floor]

Uses a data dir seeded by bench/profile_handlers.py or bench/seed_supportdesk.py (run those first).
Prints the SQL of one request with each query's time, then the timings. W1 creates real tickets; for it
the script also prints how long each request held SQLite's write lock (from taking the writer queue at
BEGIN to the end of COMMIT), the part of W1 that two web processes cannot run at the same time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["SUPPORTDESK_TESTING"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BODY_180 = ("The nightly sync to the records server fails with a timeout after the upgrade; users cannot open "
            "matters and the calendar shows stale entries. Logs attached, please advise us soon")[:180]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", default="w1,w2,floor")
    args = parser.parse_args()
    from supportdesk.accounts.actions import create_token
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket

    _, token = create_token(None, user=User.objects.get(email="agent@demo.supportdesk.local"), name="time_handlers")
    requester = User.objects.get(email="chris@hartleymoss.example")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"subject": "Records sync fails after upgrade", "body": BODY_180, "requester_id": requester.pk,
                       "severity": 2})
    calls: dict[str, Callable[[], Any]] = {
        "w1": lambda: client.post("/api/v1/tickets/", body, content_type="application/json"),
        "w2": lambda: client.get("/api/v1/tickets/?open_only=true"),
        "floor": lambda: client.get("/bench/floor"),
    }
    print(f"{Ticket.objects.count():,} tickets")
    for name in args.only.split(","):
        call = calls[name]
        for _ in range(20 if name == "w1" else 100):  # warm: connections, caches, the OS page cache
            response = call()
            assert response.status_code in (200, 201), response.content[:300]
        with CaptureQueriesContext(connection) as ctx:
            call()
        print(f"{name}: {len(ctx.captured_queries)} queries:")
        for q in ctx.captured_queries:
            print(f"   {q['time']}s  {q['sql'][:150]}")
        times = []
        with write_lock_timer() as held:
            for _ in range(args.requests):
                started = time.perf_counter()
                call()
                times.append(1000 * (time.perf_counter() - started))
        times.sort()
        print(f"{name}: mean {statistics.fmean(times):.2f} ms, median {statistics.median(times):.2f} ms, "
              f"p95 {times[int(0.95 * len(times)) - 1]:.2f} ms over {args.requests} requests "
              "(in-process, profiler off)")
        if held:
            print(f"{name}: write lock held {statistics.median(held):.2f} ms at the median "
                  f"({100 * statistics.median(held) / statistics.median(times):.0f} % of the median request), "
                  f"{len(held)} write transactions")


@contextmanager
def write_lock_timer() -> Iterator[list[float]]:
    """Milliseconds from each write transaction's BEGIN (the writer queue taken) to the end of its COMMIT."""
    from supportdesk.sqlite_writer_queue.base import DatabaseWrapper

    held: list[float] = []
    begin, commit = DatabaseWrapper._start_transaction_under_autocommit, DatabaseWrapper._commit
    began: list[float] = []

    def timed_begin(self: Any) -> None:
        began[:] = [time.perf_counter()]
        begin(self)

    def timed_commit(self: Any) -> None:
        commit(self)
        if began:
            held.append(1000 * (time.perf_counter() - began.pop()))

    DatabaseWrapper._start_transaction_under_autocommit = timed_begin  # type: ignore[method-assign]
    DatabaseWrapper._commit = timed_commit  # type: ignore[method-assign]
    try:
        yield held
    finally:
        DatabaseWrapper._start_transaction_under_autocommit = begin  # type: ignore[method-assign]
        DatabaseWrapper._commit = commit  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
