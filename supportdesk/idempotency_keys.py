"""The one rule for an `Idempotency-Key` a client sends with a POST (tickets, replies, uploads, TAM expenses,
billing charges and credits): 1 to 100 characters, scoped per person by each action that honours it."""

from __future__ import annotations

from enum import StrEnum

from supportdesk.errors import Invalid

MAX_LENGTH = 100  # the key columns' length


def check_key(key: str | None, code: StrEnum | str) -> None:
    """Refuse a key that is sent but empty or longer than the column: a 422 naming the header, with the
    context's own error code, rather than a database error."""
    if key is not None and not 0 < len(key) <= MAX_LENGTH:
        raise Invalid(code, f"Idempotency-Key must be 1 to {MAX_LENGTH} characters.",
                      fields={"Idempotency-Key": f"1 to {MAX_LENGTH} characters"})
