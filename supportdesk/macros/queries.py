"""Reads of saved replies, always through the policy: invisible ones answer 404 like a missing id."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from supportdesk.errors import NotFound
from supportdesk.policy import macros as macro_policy

from .models import SavedReply


def _check(user: Any) -> None:
    if not macro_policy.can_use_replies(user):
        raise NotFound("saved replies")


def replies(user: Any, *, include_archived: bool = False) -> QuerySet[SavedReply]:
    """Shared replies first, then this person's own, each by title."""
    _check(user)
    qs = macro_policy.visible_replies(user)
    if not include_archived:
        qs = qs.filter(archived=False)
    return qs.order_by(F("owner").asc(nulls_first=True), "title", "id")


def reply_for(user: Any, reply_id: int, *, usable: bool = False) -> SavedReply:
    """The reply if this person may see it (and, with `usable`, it is not archived); otherwise 404."""
    reply = replies(user, include_archived=not usable).filter(pk=reply_id).first()
    if reply is None:
        raise NotFound("saved reply")
    return reply
