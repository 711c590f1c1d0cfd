"""Which queue a ticket enters (R7): designated users of a client entitled to the priority queue go to
the priority queue; everybody else to the standard queue. The reason is kept for the portal to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.accounts.models import Client, User
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.policy import is_designated

from .models import Queue


@dataclass(frozen=True)
class QueueDecision:
    queue: str
    reason: str


def queue_for(client: Client, requester: User, at: datetime) -> QueueDecision:
    entitlements = entitlements_for(client, at)
    if not entitlements.features.priority_queue:
        return QueueDecision(Queue.STANDARD, "Your organisation's plan does not include the priority queue.")
    if not is_designated(requester, at):
        return QueueDecision(Queue.STANDARD, "Only designated users are served in the priority queue; "
                                             "ask your client admin to designate you.")
    return QueueDecision(Queue.PRIORITY, "You are a designated user of a Premium Support client.")
