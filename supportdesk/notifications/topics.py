"""The topics outbound webhooks publish: one per kind of ticket event, since every event a ticket's history records
(`tickets.actions.record_event`, and the opening of a ticket) is published under its kind.

A subscription names topics from here, a family's wildcard ("ticket.*") or "*"; anything else is refused, because
it would be stored and never fire. `notifications/tests/test_webhook_topics.py` reads every publishing call in the
source and fails when one publishes a kind missing here, or when a topic here is published nowhere, so this list
cannot drift from what is sent."""

from __future__ import annotations

from collections.abc import Iterable

EVERY_TOPIC = "*"

# topic -> what happened (shown by GET /api/v1/webhooks/topics and on the /webhooks/ screen)
TOPICS: dict[str, str] = {
    "ticket.opened": "A ticket was opened (portal, API, email, chat or phone).",
    "ticket.linked": "A ticket was opened as the follow-up of a closed or merged one (data.linked_from).",
    "ticket.status_changed": "The ticket's status changed (data.old, data.new).",
    "ticket.severity_changed": "The ticket's severity changed (data.old, data.new).",
    "ticket.assignee_changed": "The ticket was assigned, reassigned or unassigned (data.old, data.new).",
    "ticket.queue_changed": "The ticket moved to another queue (data.old, data.new).",
    "ticket.category_changed": "The ticket's category changed (data.old, data.new).",
    "ticket.subject_changed": "The ticket's subject changed (data.old, data.new).",
    "ticket.merged_into": "This ticket was merged into another (data.into).",
    "ticket.merged": "Another ticket was merged into this one (data.merged).",
    "ticket.escalated_to_tam": "The ticket was escalated to the client's Technical Account Manager.",
    "message.public": "A public reply was added, by the client or by support.",
    "message.internal": "An internal note was added (staff only).",
    "message.call": "A phone call was logged on the ticket.",
    "attachment.added": "A file was attached to the ticket (data.internal: on an internal note).",
    "call.ringing": "A call about the ticket is ringing (phone system).",
    "call.answered": "A call about the ticket was answered (phone system).",
    "call.ended": "A call about the ticket ended (phone system).",
    "call.voicemail": "A voicemail was left about the ticket (phone system).",
    "call.claimed": "An unmatched call was claimed into the ticket.",
    "chat.picked_up": "An agent picked up the ticket's chat.",
    "chat.closed": "The ticket's chat was closed.",
    "sla.recomputed": "An SLA due time was recomputed after a severity change.",
    "sla.breached": "An SLA target was missed.",
    "oncall.notified": "The people on call were paged about the ticket.",
    "tam.guide_attached": "The TAM attached a guide to the ticket.",
    "tam.recording_attached": "The TAM attached a recording to the ticket.",
    "satisfaction.rated": "The client gave, or changed from, a bad satisfaction rating.",
}

FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(topic.split(".", 1)[0] for topic in TOPICS))
WILDCARDS: tuple[str, ...] = (*(f"{family}.*" for family in FAMILIES), EVERY_TOPIC)


def unknown_topics(topics: Iterable[str]) -> list[str]:
    """The ones of `topics` no subscription can take: neither a published topic, a family's wildcard nor "*"."""
    return [topic for topic in topics if topic not in TOPICS and topic not in WILDCARDS]
