"""Reads of people and their designations that the ticket-opening path makes on every request, cached
per process on the "access" revision (rewritten by triggers on every write to people, roles, tokens,
clients and designations, so a cached answer is never stale)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from supportdesk.errors import Invalid, NotFound
from supportdesk.revisions.cache import RevisionCache

from .models import ApiToken, Designation, User


@dataclass(frozen=True)
class _Person:
    user: User  # with .client loaded; handed out as copies


@dataclass(frozen=True)
class DesignationPeriods:
    """A person's designation history as (start, end) pairs; end None: still designated."""

    periods: tuple[tuple[datetime, datetime | None], ...]

    def designated_at(self, at: datetime) -> bool:
        return any(start <= at and (end is None or end > at) for start, end in self.periods)


_people: RevisionCache[_Person] = RevisionCache("access", limit=20_000)
_designations: RevisionCache[DesignationPeriods] = RevisionCache("access", limit=20_000)


def person_with_client(user_id: int) -> User | None:
    """The person with this id and their client (None for staff), or None when there is no such person.

    The caller gets its own copies of both rows: nothing one request sets on them reaches another."""
    known = _people.get(user_id, lambda: _load_person(user_id))
    if known is None:
        return None
    user = copy.copy(known.user)  # Model.__getstate__ copies _state and its field cache too
    if user.client_id is not None:
        user._state.fields_cache["client"] = copy.copy(known.user.client)
    return user


def designation_periods(user_id: int) -> DesignationPeriods:
    """When this person was, is or will be designated (any client)."""
    return _designations.require(user_id, lambda: DesignationPeriods(tuple(
        Designation.objects.filter(user_id=user_id).order_by("start").values_list("start", "end"))))


def _load_person(user_id: int) -> _Person | None:
    user = User.objects.select_related("client").filter(pk=user_id).first()
    return None if user is None else _Person(user)


def api_tokens(user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens, newest first (one person's when `user` is given), revoked ones included: the record of access."""
    qs = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return qs if user is None else qs.filter(user=user)


def token_by_reference(reference: str) -> ApiToken | None:
    """The token a person names: its whole secret (looked up by hash) or the prefix shown when it was listed.
    None when nothing matches; raises `Invalid` when a prefix names more than one token.

    Anything longer than a prefix must be the whole secret: a mistyped secret, or more characters than the prefix,
    is not cut down to its first characters, which would take whichever token has that prefix."""
    from .actions import PREFIX_LENGTH, TOKEN_PREFIX, hash_token

    reference = reference.strip()
    if not reference.startswith(TOKEN_PREFIX) or len(reference) < PREFIX_LENGTH:
        return None
    found = api_tokens().filter(key_hash=hash_token(reference)).first()
    if found is not None or len(reference) != PREFIX_LENGTH:
        return found
    return _one_by_prefix(api_tokens(), reference, field="token", hint="give the whole secret to revoke one of them")


def _one_by_prefix(tokens: QuerySet[ApiToken], prefix: str, *, field: str, hint: str) -> ApiToken | None:
    """The one token of `tokens` with this prefix, None for none; two sharing it are refused, saying how to tell
    them apart (a prefix is a few random characters, so a clash is rare but possible)."""
    from .errors import AccountError

    matches = list(tokens.filter(prefix=prefix)[:2])
    if len(matches) > 1:
        raise Invalid(AccountError.TOKEN_AMBIGUOUS, f"More than one token starts with {prefix}, so none was "
                      f"revoked; {hint}.", fields={field: "ambiguous"})
    return matches[0] if matches else None


def _require_token_admin(viewer: Any) -> None:
    from supportdesk.policy.accounts import can_manage_api_tokens

    if not can_manage_api_tokens(viewer):
        raise NotFound("token")  # others do not learn that the screen exists, as for webhooks


def visible_tokens(viewer: Any) -> QuerySet[ApiToken]:
    """Every token for the system admins' screen and API, newest first, revoked ones included; never the hash."""
    _require_token_admin(viewer)
    return api_tokens().defer("key_hash", "idempotency_key")


def visible_token(viewer: Any, prefix: str) -> ApiToken:
    """The token a system admin names by the prefix the list shows (never by its secret: that would put it in a
    URL and so in access logs). A prefix two tokens share is refused, naming `supportdesk token revoke`."""
    from .actions import PREFIX_LENGTH

    _require_token_admin(viewer)
    found = None
    if len(prefix) == PREFIX_LENGTH:
        found = _one_by_prefix(visible_tokens(viewer), prefix, field="prefix",
                               hint="revoke one with `supportdesk token revoke` and its whole secret")
    if found is None:
        raise NotFound("token")
    return found


def token_holder(viewer: Any, email: str) -> User:
    """The person a system admin names by email to make a token for (a deactivated one is refused by the action,
    which says why)."""
    _require_token_admin(viewer)
    person = User.objects.select_related("client").filter(email__iexact=email.strip()).first()
    if person is None:
        raise NotFound("person")
    return person
