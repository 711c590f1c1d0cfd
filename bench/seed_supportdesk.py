"""Seed supportdesk for W1/W2 in bulk (bulk_create, not actions) and print the tokens the bench needs.

Run by bench/w1_w2.py with DJANGO_SETTINGS_MODULE=bench.settings and a fresh data dir / database.
Prints one JSON line: {"agent_token", "requester_id", "tickets"}.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from supportdesk.accounts.actions import create_token  # noqa: E402
from supportdesk.accounts.models import Client, User  # noqa: E402
from supportdesk.demo_data import load_demo  # noqa: E402
from supportdesk.tickets import search  # noqa: E402
from supportdesk.tickets.models import (  # noqa: E402
    QUEUE_RANK,
    Message,
    MessageKind,
    Queue,
    SearchIndexProgress,
    Status,
    Ticket,
)

WORDS = ("printer server login email backup license upgrade network outlook calendar sync error crash slow "
         "install report invoice access password vpn database migration timeout disk queue").split()


def status_for(rng: random.Random) -> str:
    """open 60 %, reopened (open again) 5 %, solved 15 %, closed 20 % (BENCHMARKS.md W1/W2)."""
    x = rng.random()
    if x < 0.65:
        return Status.OPEN  # 60 % open + 5 % reopened: both are open again
    return Status.SOLVED if x < 0.80 else Status.CLOSED


def text(rng: random.Random, length: int) -> str:
    out = ""
    while len(out) < length:
        out += rng.choice(WORDS) + " "
    return out[:length].strip().ljust(length, ".")


def seed(n: int) -> dict:
    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    search.catch_up()  # the demo tickets' messages; the bulk rows below get their FTS rows directly
    rng = random.Random(42)
    clients = list(Client.objects.order_by("id"))
    people = {c.pk: list(User.objects.filter(client=c).order_by("id")) for c in clients}
    clients = [c for c in clients if people[c.pk]]
    now = timezone.now()
    start = now - timedelta(days=365)
    queues = [Queue.PRIORITY, Queue.STANDARD, Queue.STANDARD, Queue.STANDARD]
    batch = 5000
    made = 0
    while made < n:
        size = min(batch, n - made)
        tickets = []
        bodies = []
        for i in range(size):
            client = clients[rng.randrange(len(clients))]
            requester = people[client.pk][rng.randrange(len(people[client.pk]))]
            status = status_for(rng)
            created = start + timedelta(seconds=(made + i) * (365 * 86400 // max(n, 1)))
            is_open = status not in (Status.SOLVED, Status.CLOSED)
            queue = queues[rng.randrange(len(queues))]
            tickets.append(Ticket(
                client=client, requester=requester, severity=rng.randint(1, 3), status=status, channel="portal",
                queue=queue, queue_rank=QUEUE_RANK[queue], subject=text(rng, 60), is_open=is_open,
                sla_due_at=created + timedelta(hours=rng.choice([4, 8, 24, 72])) if is_open else None,
                sla_state="running" if is_open else "", created_at=created, updated_at=created,
                solved_at=created + timedelta(days=1) if not is_open else None))
            bodies.append(text(rng, 190))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            Message.objects.bulk_create([
                Message(ticket=t, author=t.requester, kind=MessageKind.PUBLIC, channel="portal", body=b,
                        created_at=t.created_at) for t, b in zip(tickets, bodies, strict=True)], batch_size=1000)
            if connection.vendor == "sqlite":
                with connection.cursor() as cur:
                    cur.executemany("INSERT INTO tickets_fts(ticket_id, internal, content) VALUES (%s, %s, %s)",
                                    [(t.pk, 0, f"{t.subject}\n{b}") for t, b in zip(tickets, bodies, strict=True)])
        made += size
    if connection.vendor == "sqlite":  # the FTS rows above are every message there is (tickets.search.catch_up)
        SearchIndexProgress.objects.update_or_create(
            pk=1, defaults={"last_message_id": Message.objects.aggregate(last=Max("id"))["last"] or 0})
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    agent = User.objects.get(email="agent@demo.supportdesk.local")
    _, secret = create_token(None, user=agent, name="bench")
    requester = User.objects.get(email="chris@hartleymoss.example")
    return {"agent_token": secret, "requester_id": requester.pk, "tickets": Ticket.objects.count()}


if __name__ == "__main__":
    print(json.dumps(seed(int(sys.argv[1]))), flush=True)
