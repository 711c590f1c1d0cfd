"""Sending the outbox: claim due rows with a lease, send, mark sent. At-least-once: a worker killed
after sending but before marking may send a row again, always with the same Message-ID."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .addresses import from_address
from .models import OutboxItem, OutboxKind, OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def claim_batch(limit: int = 50, worker: str = WORKER_ID) -> list[OutboxItem]:
    """Take due rows (pending, or sending with an expired lease) for this worker."""
    now = timezone.now()
    with transaction.atomic():
        qs = OutboxItem.objects.filter(next_attempt_at__lte=now).filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).exclude(
            status=OutboxStatus.SENDING, claimed_until__gt=now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        items = list(qs[:limit])
        ids = [i.pk for i in items]
        OutboxItem.objects.filter(pk__in=ids).update(status=OutboxStatus.SENDING, claimed_by=worker,
                                                     claimed_until=now + LEASE)
    return items


def send_item(item: OutboxItem, mail_connection: object | None = None) -> None:
    if item.kind == OutboxKind.EMAIL:
        _send_email(item, mail_connection)
    else:
        from .webhooks import deliver_webhook

        deliver_webhook(item)


# Mail a person wrote (an agent's public reply) is not automatic: RFC 3834 section 5 leaves it without
# Auto-Submitted, so the client's auto-responder may answer it (that answer is recognised on intake).
HUMAN_TOPICS = {"ticket.reply"}


def mail_headers(item: OutboxItem) -> dict[str, str]:
    """Stable per row: Message-ID, RFC 3834 Auto-Submitted, our X-Loop, threading headers stored on the row."""
    headers = {
        "Message-ID": item.message_id,
        "X-Loop": from_address(),  # the address alone: inbound loop checks compare it (intake.loops)
        "X-Supportdesk-Outbox": str(item.pk),
    }
    if item.topic not in HUMAN_TOPICS:
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"  # Exchange/Outlook: no out-of-office replies to this
    headers.update(item.headers)
    if headers.get("Auto-Submitted", "").lower() == "auto-replied":
        headers["X-Auto-Response-Suppress"] = "All"
    return headers


def _send_email(item: OutboxItem, mail_connection: object | None) -> None:
    headers = mail_headers(item)
    message = EmailMultiAlternatives(subject=item.subject, body=item.body, to=[item.recipient],
                                     from_email=settings.DEFAULT_FROM_EMAIL, headers=headers,
                                     connection=mail_connection)
    if item.html_body:
        message.attach_alternative(item.html_body, "text/html")
    for attachment in item.attachments:
        import base64

        message.attach(attachment["filename"], base64.b64decode(attachment["content_b64"]), attachment["content_type"])
    message.send()


def mark_sent(item: OutboxItem) -> None:
    OutboxItem.objects.filter(pk=item.pk).exclude(status=OutboxStatus.SENT).update(status=OutboxStatus.SENT, sent_at=timezone.now(),
                                                 attempts=item.attempts + 1, claimed_until=None, last_error="")


def mark_failed(item: OutboxItem, error: str) -> None:
    attempts = item.attempts + 1
    status = OutboxStatus.DEAD if attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING
    OutboxItem.objects.filter(pk=item.pk).exclude(status=OutboxStatus.SENT).update(status=status, attempts=attempts, last_error=error[:2000],
                                                 next_attempt_at=timezone.now() + backoff(attempts),
                                                 claimed_until=None)


def renew_lease(item: OutboxItem, worker: str = WORKER_ID) -> bool:
    """Just before sending one row of a claimed batch: the row is still this worker's (not sent, not taken over by
    another worker after this one's lease ran out while earlier rows of the batch were slow to send); its lease
    is renewed for the send. False: leave it, whoever holds it now sends it."""
    return OutboxItem.objects.filter(pk=item.pk, status=OutboxStatus.SENDING, claimed_by=worker).update(
        claimed_until=timezone.now() + LEASE) == 1


def dispatch_due(limit: int = 50, worker: str = WORKER_ID) -> int:
    """Send what is due; returns how many were sent."""
    return send_claimed(claim_batch(limit, worker), worker)


def send_claimed(items: list[OutboxItem], worker: str = WORKER_ID) -> int:
    """Send the rows `worker` claimed, each only while it is still theirs; returns how many were sent."""
    if not items:
        return 0
    sent = 0
    mail_connection = get_connection(fail_silently=False)
    for item in items:
        if not renew_lease(item, worker):
            continue
        try:
            send_item(item, mail_connection)
        except Exception as exc:  # noqa: BLE001 - any failure is retried later with backoff
            log.warning("outbox item %s failed: %s", item.pk, exc)
            mark_failed(item, f"{type(exc).__name__}: {exc}")
            continue
        mark_sent(item)
        sent += 1
    return sent


def outbox_loop(stop: threading.Event, idle_sleep: float = 1.0) -> None:
    while not stop.is_set():
        try:
            if dispatch_due() == 0:
                stop.wait(idle_sleep)
        except OperationalError as exc:
            log.warning("database unavailable, backing off: %s", exc)
            connection.close()
            stop.wait(5)


def run_worker(job_threads: int = 2, periodic: bool = True) -> None:
    """Outbox loop in a thread; the Huey consumer (jobs, periodic tasks) in the main thread."""
    from django.utils.module_loading import autodiscover_modules

    # Register every context's Huey jobs (tasks.py) before consuming: djhuey only autodiscovers them in
    # its own run_huey command, and a job of an unregistered module would be dropped by the consumer.
    autodiscover_modules("tasks")
    stop = threading.Event()
    threading.Thread(target=outbox_loop, args=(stop,), daemon=True, name="outbox").start()
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(workers=job_threads, worker_type="thread", periodic=periodic,
                                    check_worker_health=True)
    try:
        consumer.run()
    finally:
        stop.set()
        time.sleep(0.1)
