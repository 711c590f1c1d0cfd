"""Live chat: a client person joins only the conversations they started; working staff take any."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.livechat.models import Conversation

from .roles import STAFF_WORKERS, has_role, is_client_person


def can_work_chats(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def visible_conversations(user: Any, qs: QuerySet[Conversation] | None = None) -> QuerySet[Conversation]:
    qs = Conversation.objects.all() if qs is None else qs
    if can_work_chats(user):
        return qs
    if is_client_person(user):
        return qs.filter(requester_id=user.pk, client_id=user.client_id)
    return qs.none()


def can_join_conversation(user: Any, conversation: Conversation) -> bool:
    if can_work_chats(user):
        return True
    return is_client_person(user) and conversation.requester_id == user.pk and conversation.client_id == user.client_id
