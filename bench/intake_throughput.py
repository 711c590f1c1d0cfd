"""Email intake throughput: messages per second stored (`receive`), then parsed and threaded
(`process_pending`), in one process on a fresh data dir, plus that process's peak RSS.

    /work/main/.venv/bin/python bench/intake_throughput.py [--messages 2000] [--database postgres]

Half the messages are new tickets from known client users, half are replies threaded by `[#id]` in
the subject and In-Reply-To; each has a 2 KB text body and a quoted part to trim.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def message(i: int, sender: str, reply_to: tuple[int, str] | None) -> bytes:
    subject = f"Re: [#{reply_to[0]}] Printer queue stuck" if reply_to else f"Printer queue stuck {i}"
    threading = f"In-Reply-To: {reply_to[1]}\r\nReferences: {reply_to[1]}\r\n" if reply_to else ""
    body = ("The print queue on the second floor stops after a few jobs and the spooler restarts. " * 24)[:2000]
    return (f"From: {sender}\r\nTo: support@supportdesk.example\r\nSubject: {subject}\r\n"
            f"Message-ID: <bench-{i}@hartleymoss.example>\r\n{threading}Date: Thu, 26 Nov 2026 03:00:00 +0000\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\nOn Wed, support wrote:\r\n> old text\r\n"
            ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="supportdesk-intake-bench-"))
    os.environ.update({"SUPPORTDESK_DATA_DIR": str(work), "SUPPORTDESK_TESTING": "0",
                       "DJANGO_SETTINGS_MODULE": "supportdesk.settings", "SUPPORTDESK_LOG_LEVEL": "ERROR"})
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from supportdesk.demo_data import load_demo
    from supportdesk.intake.actions import process_pending, receive
    from supportdesk.intake.models import InboundMessage
    from supportdesk.tickets.models import Ticket

    try:
        call_command("migrate", interactive=False, verbosity=0)
        load_demo()
        sender = "chris@hartleymoss.example"
        targets = list(Ticket.objects.filter(requester__email=sender).values_list("pk", flat=True)[:20]) or [None]
        raws = []
        for i in range(args.messages):
            target = targets[i % len(targets)] if i % 2 else None
            raws.append(message(i, sender, (target, f"<ticket-{target}@supportdesk.example>") if target else None))
        started = time.perf_counter()
        for raw in raws:
            receive(raw, channel="smtp", envelope_from=sender, envelope_to="support@supportdesk.example")
        stored = time.perf_counter() - started
        started = time.perf_counter()
        while process_pending(limit=500):
            pass
        processed = time.perf_counter() - started
        outcomes: dict[str, int] = {}
        for outcome in InboundMessage.objects.values_list("outcome", flat=True):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        summary = {"database": args.database, "messages": args.messages,
                   "stored_per_s": round(args.messages / stored, 1),
                   "processed_per_s": round(args.messages / processed, 1),
                   "end_to_end_per_s": round(args.messages / (stored + processed), 1),
                   "outcomes": outcomes, "peak_rss_mb": round(rss_mb, 1)}
        print(json.dumps(summary, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
