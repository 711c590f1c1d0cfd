"""A worker whose lease ran out while earlier rows of its batch were slow to send leaves the rest of the batch to
the worker that took them over: each row is sent once, through a real SMTP sink."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.notifications.actions import enqueue_email
from supportdesk.notifications.dispatch import claim_batch, dispatch_due, send_claimed
from supportdesk.notifications.models import OutboxItem, OutboxStatus

pytestmark = pytest.mark.django_db


def queue_one() -> OutboxItem:
    item = enqueue_email(topic="test.notice", to="someone@client.example", subject="Notice", body="Hello")
    assert item is not None
    return item


def expire_leases() -> None:
    OutboxItem.objects.filter(status=OutboxStatus.SENDING).update(claimed_until=timezone.now() - timedelta(seconds=1))


def test_given_a_lease_run_out_and_taken_over_then_the_first_worker_does_not_send_the_row_again(smtp_sink):
    # Given worker A claimed a row, and its lease ran out before A reached it (earlier sends were slow)
    row = queue_one()
    batch_of_a = claim_batch(worker="worker-a")
    expire_leases()
    # When worker B takes the row over and sends it, and A then carries on with its batch
    assert dispatch_due(worker="worker-b") == 1
    assert send_claimed(batch_of_a, worker="worker-a") == 0
    # Then the row went out once, sent by B
    assert len(smtp_sink.messages) == 1
    row.refresh_from_db()
    assert (row.status, row.claimed_by, row.attempts) == (OutboxStatus.SENT, "worker-b", 1)


def test_given_a_lease_run_out_that_nobody_took_over_then_the_worker_renews_it_and_sends(smtp_sink):
    row = queue_one()
    batch = claim_batch(worker="worker-a")
    expire_leases()
    assert send_claimed(batch, worker="worker-a") == 1
    assert len(smtp_sink.messages) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert dispatch_due(worker="worker-b") == 0 and len(smtp_sink.messages) == 1  # a sent row is never sent again
