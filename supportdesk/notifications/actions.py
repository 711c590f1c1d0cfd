"""Writing outbox rows. Call these inside the transaction of the change they announce: a rolled-back
change then leaves no row, so nothing is sent for work that did not happen."""

from __future__ import annotations

import difflib
import functools
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.errors import Invalid, NotFound
from supportdesk.idempotency_keys import (
    Written,
    check_key,
    earlier_by_key,
    request_digest,
    write_once,
)
from supportdesk.prepared_inserts import InsertBatch, insert

from .errors import WebhookError
from .models import OutboxItem, OutboxKind, WebhookSubscription
from .topics import TOPICS, WILDCARDS, unknown_topics
from .webhooks import is_public_url

REFERENCES_MAX = 900  # characters of the References header we write (whole ids only)
HEADER_MAX = 998  # other header values: one line, at most RFC 5322's line length


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.SUPPORTDESK_MAIL_DOMAIN}>"


def enqueue_email(*, topic: str, to: str, subject: str, body: str, html_body: str = "",
                  headers: dict[str, str] | None = None, ticket: object | None = None,
                  attachments: list[dict] | None = None, dedupe_key: str | None = None,
                  delay: timedelta | None = None, thread: dict[str, str] | None = None) -> OutboxItem | None:
    """Queue one email. With a dedupe_key, a second call with the same key queues nothing (returns None).

    `thread`: the threading headers when the caller already knows them (a ticket being opened); by
    default they are read from the ticket's messages and earlier mail."""
    if not to:
        return None
    if thread is None:
        thread = thread_headers(ticket) if ticket is not None else {}
    item = OutboxItem(
        kind=OutboxKind.EMAIL, topic=topic, recipient=to, subject=_one_line(subject), body=body,
        html_body=html_body, headers=_header_values({**thread, **(headers or {})}), attachments=attachments or [],
        message_id=new_message_id(), dedupe_key=dedupe_key, ticket=ticket,  # type: ignore[misc]
        next_attempt_at=timezone.now() + (delay or timedelta(0)),
    )
    if dedupe_key is None:
        return insert(item)
    try:
        with transaction.atomic():
            insert(item)
    except IntegrityError:
        return None
    return item


def add_email(batch: InsertBatch, *, topic: str, to: str, ticket: object,
              texts: Callable[[], tuple[str, str, dict[str, str]]],
              thread: dict[str, str] | None = None) -> OutboxItem | None:
    """`enqueue_email` for a row written with others through one InsertBatch (a ticket being opened): the
    subject, body and extra headers come from `texts()` when the batch is inserted, once the ticket has
    its number. Insert the batch inside the transaction of the change it announces."""
    if not to:
        return None
    written = functools.cache(texts)
    item = OutboxItem(kind=OutboxKind.EMAIL, topic=topic, recipient=to, message_id=new_message_id(),
                      ticket=ticket, next_attempt_at=timezone.now())  # type: ignore[misc]
    return batch.add(item, at_insert={
        "subject": lambda: _one_line(written()[0]),
        "body": lambda: written()[1],
        "headers": lambda: _header_values({**(thread or {}), **written()[2]}),
    })


def thread_headers(ticket: Any) -> dict[str, str]:
    """In-Reply-To the client's last email on the ticket; References: that thread's ids, oldest first.

    Computed when the row is written, so every (re)send of the row carries the same headers."""
    from supportdesk.tickets.models import Message

    ids = list(Message.objects.filter(ticket=ticket, channel="email", from_staff=False).exclude(source_id="")
               .order_by("created_at", "id").values_list("source_id", flat=True))
    earlier_out = list(OutboxItem.objects.filter(ticket=ticket, kind=OutboxKind.EMAIL)
                       .order_by("id").values_list("message_id", flat=True)[:5])
    return thread_headers_from(ids, earlier_out)


def thread_headers_from(ids: list[str], earlier_out: list[str]) -> dict[str, str]:
    """The headers for the client's email ids (oldest first) and our earlier mails' ids on the ticket."""
    if not ids and not earlier_out:
        return {}
    references = ([ids[0]] if ids else []) + earlier_out + ids[1:][-8:]
    headers = {"References": _references(list(dict.fromkeys(references)))}
    if ids:
        headers["In-Reply-To"] = ids[-1]
    return headers


def _references(ids: list[str]) -> str:
    """Whole Message-IDs only, within REFERENCES_MAX: the first (the thread's root) and as many of the
    latest as fit (RFC 5322 3.6.4), never an id cut in the middle."""
    if len(" ".join(ids)) <= REFERENCES_MAX:
        return " ".join(ids)
    first = ids[0]
    kept: list[str] = []
    size = len(first)
    for message_id in reversed(ids[1:]):
        if size + 1 + len(message_id) > REFERENCES_MAX:
            break
        kept.insert(0, message_id)
        size += 1 + len(message_id)
    return " ".join([first, *kept])


def enqueue_webhook(*, topic: str, url: str, payload: dict, dedupe_key: str | None = None,
                    subscription: int | None = None) -> OutboxItem:
    """One delivery of `payload` to `url` (the subscription's id, when known, picks its signing secret)."""
    return OutboxItem.objects.create(
        kind=OutboxKind.WEBHOOK, topic=topic, recipient=url, payload=payload,
        headers={"subscription": subscription} if subscription is not None else {},
        message_id=new_message_id(), dedupe_key=dedupe_key, next_attempt_at=timezone.now(),
    )


def _header_values(headers: dict[str, str]) -> dict[str, str]:
    return {k: _one_line(str(v), HEADER_MAX) for k, v in headers.items()}


def _one_line(text: str, limit: int = 255) -> str:
    """Header values never carry CR/LF: a subject cannot inject headers."""
    return " ".join(text.split())[:limit]


# Webhook subscriptions (system admins) ----------------------------------------------------------------

MAX_TOPICS = 50
MIN_SECRET = 16


def _checked_url(url: object) -> str:
    url = str(url or "").strip()
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # a bad IPv6 literal or port raises here
    except ValueError:
        host = None
    if len(url) > 200 or not host or parts.scheme not in ("http", "https") or not url.isprintable() or " " in url:
        raise Invalid(WebhookError.BAD_URL, "url must be an http(s) address of at most 200 characters.",
                      fields={"url": "http(s) address"})
    if not is_public_url(url):
        raise Invalid(WebhookError.BAD_URL, "url must resolve to a public address (not private, loopback, "
                      "link-local or reserved).", fields={"url": "not a public address"})
    return url


def _checked_topics(topics: object) -> list[str]:
    """Only topics a subscription can take: a misspelt one ("ticket.opend") would be stored and never fire."""
    if topics is None:
        return []
    if not isinstance(topics, list) or len(topics) > MAX_TOPICS or not all(isinstance(t, str) for t in topics):
        raise Invalid(WebhookError.BAD_TOPICS, f"topics is a list of at most {MAX_TOPICS} topics such as "
                      '"ticket.opened", "ticket.*" or "*" (empty: every topic).',
                      fields={"topics": f"a list of at most {MAX_TOPICS} topics"})
    unknown = list(dict.fromkeys(unknown_topics(topics)))
    if unknown:
        named = ", ".join(_shown(t) for t in unknown)
        guesses = {t: close[0] for t in unknown
                   if (close := difflib.get_close_matches(t, [*TOPICS, *WILDCARDS], n=1, cutoff=0.75))}
        meant = ", ".join(guesses.values() if len(unknown) == 1 else (f"{g} for {_shown(t)}" for t, g in guesses.items()))
        raise Invalid(WebhookError.BAD_TOPICS,
                      f"Unknown topic{'s' if len(unknown) > 1 else ''}: {named}."
                      + (f" Did you mean {meant}?" if guesses else "")
                      + " Name topics the product publishes (GET /api/v1/webhooks/topics lists them), a family's "
                      f"wildcard ({', '.join(WILDCARDS[:-1])}) or \"*\".",
                      fields={"topics": f"unknown: {named}"})
    return list(dict.fromkeys(topics))


def _shown(topic: str) -> str:
    """A refused topic as the message repeats it: cut short, so a pasted paragraph does not fill the answer."""
    return '""' if not topic else topic if len(topic) <= 60 else topic[:60] + "…"


def create_subscription(actor: Any, *, url: object, topics: object = None,
                        secret: object = None) -> WebhookSubscription:
    """A system admin subscribes a URL; without a secret one is generated (shown once, in the answer)."""
    return subscribe(actor, url=url, topics=topics, secret=secret).record


def subscribe(actor: Any, *, url: object, topics: object = None, secret: object = None,
              idempotency_key: str | None = None) -> Written[WebhookSubscription]:
    """`create_subscription`, honouring the admin's `idempotency_key` (an API Idempotency-Key, the screen's
    submission): the same key with the same URL, topics and secret (or again none) answers the subscription it made,
    with the secret generated then (created False), also once it was deactivated since; the same key with anything
    else is 422 `webhook.idempotency_key_reused`. A second subscription would deliver every event twice, signed with
    a secret the client never saw."""
    from supportdesk.policy.notifications import can_manage_webhooks

    if not can_manage_webhooks(actor):
        raise NotFound("webhook")
    check_key(idempotency_key, WebhookError.BAD_IDEMPOTENCY_KEY)
    checked_url, checked_topics = _checked_url(url), _checked_topics(topics)
    sent_secret = secret or None  # absent or empty: generated, the same request again
    if sent_secret is not None and (not isinstance(sent_secret, str) or not MIN_SECRET <= len(sent_secret) <= 100
                                    or not sent_secret.isprintable()):
        raise Invalid(WebhookError.BAD_SECRET, f"secret must be {MIN_SECRET} to 100 printable characters.",
                      fields={"secret": f"{MIN_SECRET} to 100 characters"})
    person = actor if getattr(actor, "pk", None) is not None else None  # None: a script or the system
    key = idempotency_key if person is not None else None  # scoped to a person: a script sends no retries
    sent = request_digest("subscription", checked_url, checked_topics, sent_secret)

    earlier = earlier_by_key(WebhookSubscription.objects.filter(created_by=person), key, sent,
                             WebhookError.IDEMPOTENCY_KEY_REUSED, "subscription")

    def write() -> WebhookSubscription:
        with transaction.atomic():
            return WebhookSubscription.objects.create(url=checked_url, topics=checked_topics,
                                                      secret=sent_secret or secrets.token_urlsafe(32), active=True,
                                                      created_by=person, idempotency_key=key,
                                                      idempotency_hash=sent if key else None)

    return write_once(key, earlier, write)


def remove_subscription(actor: Any, subscription_id: int) -> None:
    """Deactivate it: queued deliveries to it are dropped, nothing new is queued."""
    from supportdesk.policy.notifications import can_manage_webhooks

    if not can_manage_webhooks(actor):
        raise NotFound("webhook")
    with transaction.atomic():
        if not WebhookSubscription.objects.filter(pk=subscription_id, active=True).update(active=False):
            raise NotFound("webhook")
