"""Run inside the product environment by tests/production: small operations that print one JSON line.

    ops.py migrate | enqueue N [SUBJECT] | rollback | status | expire-leases | staff-token | open-ticket TOKEN
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from supportdesk.notifications.actions import enqueue_email  # noqa: E402
from supportdesk.notifications.models import OutboxItem, OutboxStatus  # noqa: E402


class RolledBack(Exception):
    pass


def main(command: str, *args: str) -> object:
    if command == "migrate":
        call_command("migrate", interactive=False, verbosity=0)
        return {"ok": True}
    if command == "enqueue":
        subject = args[1] if len(args) > 1 else "Outbox test"
        with transaction.atomic():
            items = [enqueue_email(topic="test", to=f"person{i}@client.example", subject=f"{subject} {i}",
                                   body="Hello") for i in range(int(args[0]))]
        return [i.message_id for i in items if i is not None]
    if command == "rollback":
        try:
            with transaction.atomic():
                enqueue_email(topic="test", to="nobody@client.example", subject="ROLLED BACK", body="never")
                raise RolledBack
        except RolledBack:
            pass
        return {"rows": OutboxItem.objects.filter(subject="ROLLED BACK").count()}
    if command == "status":
        return {row["status"]: row["n"] for row in OutboxItem.objects.values("status").annotate(n=Count("id"))}
    if command == "intake-store":
        from supportdesk.demo_data import load_demo
        from supportdesk.intake.actions import receive

        load_demo()
        sender = "chris@hartleymoss.example"
        body = "The print queue stops after a few jobs and the spooler restarts. " * 30
        ids = []
        for i in range(int(args[0])):
            raw = (f"From: {sender}\r\nTo: support@supportdesk.example\r\nSubject: Printer {i}\r\n"
                   f"Message-ID: <kill-{i}@hartleymoss.example>\r\nContent-Type: text/plain\r\n\r\n{body}\r\n")
            ids.append(receive(raw.encode(), channel="smtp", envelope_from=sender).inbound.pk)
        return ids
    if command == "intake-sweep":
        from supportdesk.intake.actions import process_pending

        while process_pending(limit=100):
            pass
        return {"ok": True}
    if command == "intake-status":
        from supportdesk.intake.models import InboundMessage
        from supportdesk.tickets.models import Message

        statuses: dict[str, int] = {}
        for status in InboundMessage.objects.values_list("status", flat=True):
            statuses[status] = statuses.get(status, 0) + 1
        email = list(Message.objects.filter(channel="email").values_list("source_id", flat=True))
        return {"statuses": statuses, "email_messages": len(email), "distinct_sources": len(set(email)),
                "tickets_from_mail": InboundMessage.objects.exclude(ticket=None).values("ticket").distinct().count()}
    if command == "claimers":
        return sorted(set(OutboxItem.objects.filter(status=OutboxStatus.SENT).values_list("claimed_by", flat=True)))
    if command == "expire-leases":
        # The lease of a killed worker runs out (fast-forwarded instead of waiting LEASE).
        n = OutboxItem.objects.filter(status=OutboxStatus.SENDING).update(
            claimed_until=timezone.now() - timedelta(seconds=1))
        return {"expired": n}
    if command == "staff-token":
        from supportdesk.accounts.actions import create_person, create_token

        user = create_person(None, email="agent@vendor.example", full_name="Agent", staff_roles=["agent"],
                             password="correct-horse-battery")
        return {"token": create_token(None, user=user)[1]}
    if command == "chat-people":
        from django.test import Client as HttpClient

        from supportdesk.factories import ClientUserFactory, StaffFactory
        from supportdesk.oncall.tests.factories import client_24x7

        person = ClientUserFactory(client=client_24x7(name="Night Owls LLP"))
        agent = StaffFactory()
        cookies = {}
        for name, user in (("client", person), ("agent", agent)):
            http = HttpClient()
            http.force_login(user)
            cookies[name] = f"sessionid={http.cookies['sessionid'].value}"
        return cookies
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])), flush=True)
