"""Time W2 (the agent queue list) in-process, profiler off: mean, median and p95 of N requests.

    DJANGO_SETTINGS_MODULE=bench.settings SUPPORTDESK_DATA_DIR=/tmp/sd-w2 PYTHONPATH=. \\
        .venv/bin/python bench/time_w2.py [--requests 500]

Uses a data dir seeded by bench/profile_handlers.py or bench/seed_supportdesk.py (run those first).
Prints the SQL of one request with each query's time, then the timings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["SUPPORTDESK_TESTING"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--url", default="/api/v1/tickets/?open_only=true")
    args = parser.parse_args()
    from supportdesk.accounts.actions import create_token
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket

    _, token = create_token(None, user=User.objects.get(email="agent@demo.supportdesk.local"), name="time_w2")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for _ in range(100):  # warm: connections, prepared queries, the OS page cache
        response = client.get(args.url)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(args.url).json()
    print(f"{Ticket.objects.count():,} tickets; count {body['count']:,}; {len(body['items'])} items; "
          f"{len(ctx.captured_queries)} queries:")
    for q in ctx.captured_queries:
        print(f"   {q['time']}s  {q['sql'][:150]}")
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(args.url)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    print(f"W2 {args.url}: mean {statistics.fmean(times):.2f} ms, median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(0.95 * len(times)) - 1]:.2f} ms over {args.requests} requests (in-process, profiler off)")


if __name__ == "__main__":
    main()
