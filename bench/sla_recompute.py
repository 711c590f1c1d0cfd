"""W-SLA recompute: time the recompute of 100,000 open clocks after a holiday edit.

Run:  python bench/sla_recompute.py [--clocks 100000] [--database-url postgres://...]

Set-up (not timed): a fresh SQLite database in a temporary data folder (or DATABASE_URL), one Premium
client, N open tickets with a running severity 3 initial-response clock on the business-hours calendar
(starts spread over 2026, a tenth of them with a closed pause), inserted in bulk.
Timed: the manager's holiday edit (`sla.actions.update_calendar`, which queues the job) plus the job
itself (`sla.sweep.recompute`): every clock's due and warning instants recomputed with the new calendar,
written back in batches with progress, and `Ticket.sla_due_at` refreshed. Prints clocks/s and seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("SUPPORTDESK_DATA_DIR", tempfile.mkdtemp(prefix="sla-recompute-"))
    os.environ["SUPPORTDESK_TESTING"] = "1"  # jobs inline, fast password hashing
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    setup_start = time.perf_counter()
    ticket_ids = populate(args.clocks)
    print(f"set-up: {len(ticket_ids):,} open tickets and clocks in {time.perf_counter() - setup_start:.1f} s",
          file=sys.stderr)

    from django.db import transaction

    from supportdesk.sla import actions
    from supportdesk.sla.models import Clock, RecomputeJob
    from supportdesk.sla.sweep import recompute

    before = dict(Clock.objects.filter(pk__in=[1, 2, 3]).values_list("pk", "due_at"))
    started = time.perf_counter()
    with transaction.atomic():
        job = actions.update_calendar(None, "business-hours", custom_holidays=[
            "2026-03-16", "2026-06-15", "2026-09-14", "2026-11-16"])
    job = RecomputeJob.objects.get(pk=job.pk)
    if job.state == "queued":  # not already run by an inline on-commit job
        job = recompute(job)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    after = dict(Clock.objects.filter(pk__in=[1, 2, 3]).values_list("pk", "due_at"))
    assert job.state == "done" and job.done == args.clocks, (job.state, job.done)
    print(f"W-SLA recompute: {job.done:,} open clocks after a holiday edit in {seconds:.2f} s "
          f"({job.done / seconds:,.0f} clocks/s; {job.changed:,} due instants moved) "
          f"on {django.db.connection.vendor}")
    print(f"sample due instants before/after: {[(before[k].isoformat(), after[k].isoformat()) for k in sorted(before)]}",
          file=sys.stderr)


def populate(n: int) -> list[int]:
    from django.db import transaction
    from django.utils import timezone

    from supportdesk.accounts.actions import create_client, create_person
    from supportdesk.sla import timing
    from supportdesk.sla.calendars_store import calendar_for
    from supportdesk.sla.models import Clock
    from supportdesk.tickets.models import Ticket

    client = create_client(None, name="Benchmark Law")
    person = create_person(None, email="bench@benchmark.example", client=client, client_role="client_user")
    rng = random.Random(20260101)
    year_start = datetime(2026, 1, 1, 5, tzinfo=UTC)
    calendar = calendar_for("business-hours")
    now = timezone.now()
    ids: list[int] = []
    batch = 5000
    with transaction.atomic():
        for offset in range(0, n, batch):
            size = min(batch, n - offset)
            starts = [year_start + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(size)]
            tickets = Ticket.objects.bulk_create([
                Ticket(client=client, requester=person, severity=3, subject=f"Bench {offset + i}", created_at=s,
                       updated_at=now) for i, s in enumerate(starts)])
            clocks = []
            for ticket, start in zip(tickets, starts, strict=True):
                clock = Clock(ticket=ticket, metric="initial_response", severity=3, target_minutes=240,
                              calendar="business-hours", started_at=start, state="running")
                if rng.random() < 0.1:
                    clock.pauses = timing.dump_pauses([(start + timedelta(minutes=30), start + timedelta(hours=5))])
                clock.due_at, clock.warn_at = timing.schedule(clock, calendar, 15)
                clocks.append(clock)
            Clock.objects.bulk_create(clocks)
            ids += [t.pk for t in tickets]
    return ids


if __name__ == "__main__":
    main()
