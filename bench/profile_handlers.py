"""Profile the W1 and W2 handlers in-process: SQL queries per request, mean time, and a cProfile top list.

    DJANGO_SETTINGS_MODULE=bench.settings SUPPORTDESK_DATA_DIR=/tmp/sd-profile PYTHONPATH=. \
        /work/main/.venv/bin/python bench/profile_handlers.py --tickets 100000 [--requests 200]

Seeds the data dir on first use (like bench/seed_supportdesk.py), then reuses it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["SUPPORTDESK_TESTING"] = "0"

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.seed_supportdesk import seed  # noqa: E402  (sets Django up)
from supportdesk.tickets.models import Ticket  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from django.db.utils import OperationalError
    try:
        seeded_already = Ticket.objects.exists()
    except OperationalError:
        seeded_already = False
    if seeded_already:
        from supportdesk.accounts.actions import create_token
        from supportdesk.accounts.models import User
        _, token = create_token(None, user=User.objects.get(email="agent@demo.supportdesk.local"), name="profile")
        requester_id = User.objects.get(email="chris@hartleymoss.example").pk
    else:
        seeded = seed(args.tickets)
        token, requester_id = seeded["agent_token"], seeded["requester_id"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"subject": "Records sync fails after upgrade", "body": "x" * 180,
                       "requester_id": requester_id, "severity": 2})
    calls = {
        "W1": lambda: client.post("/api/v1/tickets/", body, content_type="application/json"),
        "W2": lambda: client.get("/api/v1/tickets/?open_only=true"),
    }
    for name, call in calls.items():
        response = call()
        assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
        with CaptureQueriesContext(connection) as ctx:
            call()
        print(f"\n== {name}: {len(ctx.captured_queries)} SQL queries per request")
        for q in ctx.captured_queries:
            print(f"   {q['time']}s  {q['sql'][:160]}")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        print(f"   mean {1000 * (time.perf_counter() - started) / args.requests:.2f} ms per request "
              f"over {args.requests} (in-process, profiler on)")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[:args.top + 12]))


if __name__ == "__main__":
    main()
