"""REST endpoints for outbound webhooks (mounted at /api/v1/webhooks): system admins subscribe URLs.

Each delivery is a POST of {"topic", "id", "data"} signed like the phone webhook: header
X-Supportdesk-Signature "sha256=" + hex HMAC-SHA256(secret, "<X-Supportdesk-Timestamp>.<body>"), retried
with backoff by the outbox until a 2xx (X-Supportdesk-Delivery: the same id on every retry).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Header, Router, Schema, Status
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.errors import NotFound
from supportdesk.idempotency_keys import retry_responses
from supportdesk.pagination import PageNumberPagination
from supportdesk.policy.notifications import can_manage_webhooks

from . import actions
from .models import WebhookSubscription
from .topics import TOPICS, WILDCARDS

router = Router()


class WebhookIn(Schema):
    url: str
    topics: list[str] | None = None
    secret: str | None = None


class WebhookOut(Schema):
    id: int
    url: str
    topics: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str


class TopicOut(Schema):
    topic: str
    description: str


class TopicsOut(Schema):
    topics: list[TopicOut]
    wildcards: list[str]


def _admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = policy.signed_in(request)
    if not can_manage_webhooks(user):
        raise NotFound("webhook")
    return user


@router.get("", response=list[WebhookOut], summary="Outbound webhook subscriptions (system admins)")
@paginate(PageNumberPagination, page_size=25)
def list_webhooks(request: HttpRequest):
    _admin(request)
    return WebhookSubscription.objects.filter(active=True).order_by("id")


@router.get("/topics", response=TopicsOut, summary="The topics a subscription may name (system admins)",
            description="`topics`: every event kind the product publishes, with what it means; `wildcards`: "
                        "`<family>.*` for each family of topics, and `*` (every topic). A subscription naming "
                        "anything else is refused (422 `webhook.bad_topics`).")
def webhook_topics(request: HttpRequest):
    _admin(request)
    return {"topics": [{"topic": topic, "description": text} for topic, text in TOPICS.items()],
            "wildcards": list(WILDCARDS)}


@router.post("", response={201: WebhookCreated, 200: WebhookCreated}, summary="Subscribe a URL to events (system admins)",
             description="`topics`: event kinds such as `ticket.opened`, `ticket.status_changed`, `message.public`, "
                         "a family's wildcard such as `ticket.*`, or `*`; empty or absent: every topic. "
                         "`GET /api/v1/webhooks/topics` lists them; a topic not there is refused with 422 "
                         "`webhook.bad_topics`, naming it in `fields.topics` (`unknown: ticket.opend`). Without "
                         "`secret` one is generated; it is shown only in this answer (and in a retry's). Honours an "
                         "`Idempotency-Key` header (1 to 100 characters, per person; else 422 "
                         "`webhook.bad_idempotency_key`): the same key with the same `url`, `topics` and `secret` "
                         "(or again none) returns the first subscription with its secret (200, also once it was "
                         "deactivated since) and subscribes nothing again, so no event is delivered twice; the same "
                         "key with another body is refused (422 `webhook.idempotency_key_reused`). Without the header "
                         "every call subscribes anew.",
             openapi_extra=retry_responses("Subscribed", "the first subscription and its secret; nothing was written"))
def create_webhook(request: HttpRequest, payload: WebhookIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                        description="1 to 100 characters, scoped to the person "
                                                                    "sending it: a retry with it subscribes once")):
    made = actions.subscribe(_admin(request), url=payload.url, topics=payload.topics, secret=payload.secret,
                             idempotency_key=idempotency_key)
    return Status(201 if made.created else 200, made.record)


@router.get("/{webhook_id}", response=WebhookOut, summary="One subscription (system admins)")
def get_webhook(request: HttpRequest, webhook_id: int):
    _admin(request)
    subscription = WebhookSubscription.objects.filter(pk=webhook_id, active=True).first()
    if subscription is None:
        raise NotFound("webhook")
    return subscription


@router.delete("/{webhook_id}", response={204: None}, summary="Unsubscribe (system admins)")
def delete_webhook(request: HttpRequest, webhook_id: int):
    actions.remove_subscription(_admin(request), webhook_id)
    return Status(204, None)
