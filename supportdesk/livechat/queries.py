"""Reads for the widget and the agent console, through the livechat policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.policy.livechat import can_work_chats, visible_conversations

from .models import ChatMessage, Conversation, ConversationStatus


def message_frame(message: ChatMessage) -> dict[str, Any]:
    author = message.author
    return {"type": "message", "conversation": message.conversation_id, "id": message.client_msg_id,
            "message": message.pk, "body": message.body, "from_staff": message.from_staff,
            "author": author.display_name if author else "", "at": message.created_at.isoformat()}


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    last = conversation.messages.order_by("-created_at", "-id").first()
    return {"conversation": conversation.pk, "status": conversation.status, "subject": conversation.subject,
            "client": conversation.client.name, "requester": conversation.requester.display_name,
            "ticket_id": conversation.ticket_id, "agent": conversation.agent.display_name if conversation.agent else "",
            "created_at": conversation.created_at.isoformat(), "last": last.body[:200] if last else ""}


def history(conversation: Conversation) -> list[dict[str, Any]]:
    return [message_frame(m) for m in conversation.messages.select_related("author").order_by("created_at", "id")]


def waiting_conversations(user: Any) -> QuerySet[Conversation]:
    """Every waiting chat this agent may pick up, oldest first (the console's paged first paint)."""
    return (visible_conversations(user).filter(status=ConversationStatus.WAITING)
            .select_related("client", "requester", "agent").order_by("created_at", "id"))


def waiting(user: Any) -> list[dict[str, Any]]:
    """The live list: the first 100 of `waiting_conversations`."""
    if not can_work_chats(user):
        return []
    return [conversation_summary(c) for c in waiting_conversations(user)[:100]]


def mine(user: Any) -> list[dict[str, Any]]:
    """Open conversations: a client person's own; an agent's active ones."""
    qs = visible_conversations(user).exclude(status=ConversationStatus.CLOSED).select_related("client", "requester", "agent")
    if can_work_chats(user):
        qs = qs.filter(agent_id=user.pk)
    return [conversation_summary(c) for c in qs.order_by("created_at", "id")[:50]]
