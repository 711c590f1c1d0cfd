"""The one rule for an `Idempotency-Key` a client sends with a POST (tickets, replies, uploads, TAM expenses and call
series, billing charges, credits and credit notes, help-center articles and comments, logged calls, webhook
subscriptions): 1 to 100 characters, scoped per person by each action that honours it.

A create that honours a key keeps it on the row it writes (`idempotency_key`, unique per person) with the digest of
the request (`idempotency_hash`): the same key with the same request answers that row (`replayed`), the same key with
another request is a 422 naming the header, and the unique index decides between a retry and its first attempt when
they race (`write_once`)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, cast

from django.db import IntegrityError
from django.db.models import Model, QuerySet

from supportdesk.errors import Invalid

MAX_LENGTH = 100  # the key columns' length


def check_key(key: str | None, code: StrEnum | str) -> None:
    """Refuse a key that is sent but empty or longer than the column: a 422 naming the header, with the
    context's own error code, rather than a database error."""
    if key is not None and not 0 < len(key) <= MAX_LENGTH:
        raise Invalid(code, f"Idempotency-Key must be 1 to {MAX_LENGTH} characters.",
                      fields={"Idempotency-Key": f"1 to {MAX_LENGTH} characters"})


# The header's description wherever an operation honours it (the OpenAPI document).
KEY_HEADER = "1 to 100 characters, scoped to the person sending it: a retry with it writes once"


def retry_responses(created: str, retried: str, **more: str) -> dict:
    """An operation's `openapi_extra` when it honours the key: what a first call wrote (201), what a retry with the
    same key answers (200), and any other status it documents (`more`, e.g. `413="..."`)."""
    responses: dict[int, dict[str, str]] = {
        201: {"description": created},
        200: {"description": f"A retry with an `Idempotency-Key` already used for this request: {retried}"}}
    responses.update({int(status.lstrip("_")): {"description": text} for status, text in more.items()})
    return {"responses": responses}


def request_digest(*sent: object) -> str:
    """The SHA-256 of what a create was sent (its values as the action normalised them): kept beside the key, it
    tells a retry (the same digest) from the key reused for another request."""
    return hashlib.sha256(json.dumps(sent, default=str, ensure_ascii=False).encode()).hexdigest()


class Keyed(Protocol):
    idempotency_hash: str | None


K = TypeVar("K", bound=Keyed)
T = TypeVar("T")
M = TypeVar("M", bound=Model)


def replayed(earlier: K | None, digest: str, code: StrEnum | str, what: str) -> K | None:
    """The row a key already wrote when this request is the one that wrote it; the key reused for another
    request is 422 `code` on `Idempotency-Key`, and nothing is written."""
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.idempotency_hash or "", digest):  # the hardening scan's rule for digests
        raise Invalid(code, f"This Idempotency-Key was already used for another {what}; send a new key for a new "
                            f"{what}.", fields={"Idempotency-Key": "reused with another body"})
    return earlier


def earlier_by_key(rows: QuerySet[M], key: str | None, digest: str, code: StrEnum | str,
                   what: str) -> Callable[[], M | None]:
    """The look-up `write_once` retries with: the row `key` already wrote among `rows` (the sender's own), answered
    when this request is the one that wrote it (`replayed`)."""
    def earlier() -> M | None:
        return cast("M | None", replayed(cast(Keyed | None, rows.filter(idempotency_key=key).first()), digest,
                                         code, what))
    return earlier


@dataclass(frozen=True)
class Written(Generic[T]):
    record: T
    created: bool  # False when a retry with its key answered the row its first attempt wrote


def write_once(key: str | None, earlier: Callable[[], T | None], write: Callable[[], T]) -> Written[T]:
    """`write()` (a transaction of its own that stores the key on its row) unless `earlier()` finds the row the key
    already wrote. A retry that looked before its first attempt committed has its row refused by the key's unique
    index: its transaction rolled back (outbox rows with it), it answers the first attempt's row."""
    if key and (found := earlier()) is not None:
        return Written(found, created=False)
    try:
        return Written(write(), created=True)
    except IntegrityError:
        if key and (found := earlier()) is not None:
            return Written(found, created=False)
        raise
