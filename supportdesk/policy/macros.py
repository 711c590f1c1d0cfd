"""Saved replies: working staff use the shared ones and their own; they write their own personal ones;
managers and system admins write the shared ones. Nobody sees another person's personal replies, and
people who may not use saved replies (clients, billing) see none: 404, like a missing id."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from supportdesk.accounts.models import StaffRole
from supportdesk.macros.models import SavedReply

from .roles import STAFF_WORKERS, has_role

SHARED_EDITORS = (StaffRole.MANAGER, StaffRole.SYSADMIN)


def can_use_replies(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def can_write_shared(user: Any) -> bool:
    return has_role(user, *SHARED_EDITORS)


def visible_replies(user: Any, qs: QuerySet[SavedReply] | None = None) -> QuerySet[SavedReply]:
    qs = SavedReply.objects.all() if qs is None else qs
    if not can_use_replies(user):
        return qs.none()
    return qs.filter(Q(owner__isnull=True) | Q(owner=user))


def can_create_reply(user: Any, *, shared: bool) -> bool:
    return can_write_shared(user) if shared else can_use_replies(user)


def can_edit_reply(user: Any, reply: SavedReply) -> bool:
    """Edit or archive: the owner a personal reply, a manager or system admin a shared one."""
    if reply.owner_id is None:
        return can_write_shared(user)
    return can_use_replies(user) and reply.owner_id == getattr(user, "pk", None)
