"""WebSocket consumers: /ws/chat/ for client people (the widget), /ws/chat/agents/ for the console.

Frames are JSON objects with a "type". Refusals are error frames {"type": "error", "code", "message",
"id"?} with the same stable codes as the actions; the connection stays open unless the person may not
chat at all. The handshake is refused (HTTP 403) for a foreign Origin or a person who is not signed in.
"""

from __future__ import annotations

import json
import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.core.cache import cache

from supportdesk import policy
from supportdesk.errors import DomainError
from supportdesk.policy.livechat import can_work_chats

from . import actions, queries
from .errors import ChatError

MAX_FRAME_BYTES = 8 * 1024
RATE_MESSAGES = 10
RATE_SECONDS = 10
AGENTS_GROUP = "chat.agents"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def origin_allowed(scope: dict) -> bool:
    """The Origin must be this site itself (its Host) or listed in CSRF_TRUSTED_ORIGINS / SUPPORTDESK["CHAT_ORIGINS"]."""
    headers = {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}
    origin = headers.get("origin", "")
    if not origin:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if parts.netloc.lower() == headers.get("host", "").lower():
        return True
    trusted = {o.rstrip("/").lower() for o in [*settings.CSRF_TRUSTED_ORIGINS, *settings.SUPPORTDESK.get("CHAT_ORIGINS", [])]}
    return f"{parts.scheme}://{parts.netloc}".lower() in trusted


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Shared protocol: frame limits, the rate cap, joining, posting and closing."""

    user: Any
    joined: set[int]

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.joined = set()
        if not origin_allowed(self.scope) or not getattr(self.user, "is_authenticated", False):
            await self.close(code=4403)
            return
        if not await database_sync_to_async(self.may_connect)():
            await self.close(code=4403)
            return
        await self.accept()
        await self.greet()

    def may_connect(self) -> bool:
        raise NotImplementedError

    def still_allowed(self) -> bool:
        """Per frame: the session is still signed in as this person, who is still active and may still use this
        socket (a sign-out, a deactivation or a revoked role ends the connection at its next frame)."""
        session = self.scope.get("session")
        key = getattr(session, "session_key", None) if session is not None else None
        if not key:
            return False
        fresh = get_user(SimpleNamespace(session=import_module(settings.SESSION_ENGINE).SessionStore(key)))  # type: ignore[arg-type]
        if not fresh.is_authenticated or fresh.pk != self.user.pk:
            return False
        self.user = fresh
        return self.may_connect()

    async def refuse_unless_still_allowed(self) -> bool:
        """Before acting on a frame or forwarding one: still allowed, or an error frame and close 4403."""
        if await database_sync_to_async(self.still_allowed)():
            return True
        await self.error(ChatError.SIGNED_OUT, "You are signed out or may no longer use this chat; nothing was "
                         "stored or delivered. Sign in again and reconnect.")
        await self.close(code=4403)
        return False

    async def greet(self) -> None:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        for conversation_id in getattr(self, "joined", set()):
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if text_data is None:
            await self.error(ChatError.BAD_FRAME, "Send JSON text frames.")
            return
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.error(ChatError.FRAME_TOO_LARGE, f"A frame can be at most {MAX_FRAME_BYTES} bytes; nothing was stored.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error(ChatError.BAD_FRAME, "The frame is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error(ChatError.BAD_FRAME, 'A frame is a JSON object with a "type".')
            return
        handler = getattr(self, f"on_{content['type']}", None)
        if handler is None:
            await self.error(ChatError.BAD_FRAME, f"Unknown frame type {content['type']!r}.")
            return
        if not await self.refuse_unless_still_allowed():
            return
        try:
            await handler(content)
        except DomainError as exc:
            await self.error(exc.code, exc.message, **({"id": content["id"]} if isinstance(content.get("id"), str) else {}))

    async def rate_allows(self) -> bool:
        """A sliding window per person (shared by all their connections through the cache)."""
        key, now = f"chat-rate:{self.user.pk}", time.time()
        recent = [t for t in await cache.aget(key, []) if now - t < RATE_SECONDS]
        if len(recent) >= RATE_MESSAGES:
            return False
        await cache.aset(key, [*recent, now], timeout=RATE_SECONDS)
        return True

    async def join(self, conversation_id: int) -> None:
        if conversation_id not in self.joined:
            await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
            self.joined.add(conversation_id)

    async def on_join(self, content: dict) -> None:
        conversation = await database_sync_to_async(actions.conversation_for)(self.user, content.get("conversation"))
        await self.join(conversation.pk)
        frames = await database_sync_to_async(queries.history)(conversation)
        await self.send_json({"type": "history", "conversation": conversation.pk, "status": conversation.status,
                              "ticket_id": conversation.ticket_id, "messages": frames})

    async def on_message(self, content: dict) -> None:
        if not await self.rate_allows():
            await self.error(ChatError.RATE_LIMITED, f"You are sending messages too fast: at most {RATE_MESSAGES} every "
                             f"{RATE_SECONDS} seconds. This one was not stored; send it again in a moment.",
                             **({"id": content["id"]} if isinstance(content.get("id"), str) else {}))
            return
        posted = await database_sync_to_async(actions.post_message)(
            self.user, content.get("conversation"), client_msg_id=content.get("id"), body=content.get("body"))
        message = posted.message
        await self.join(message.conversation_id)
        await self.send_json({"type": "ack", "conversation": message.conversation_id, "id": message.client_msg_id,
                              "message": message.pk, "duplicate": not posted.created})
        if posted.created:
            frame = await database_sync_to_async(queries.message_frame)(message)
            await self.channel_layer.group_send(conversation_group(message.conversation_id),
                                                {"type": "chat.frame", "frame": frame})

    async def on_close(self, content: dict) -> None:
        conversation = await database_sync_to_async(actions.close)(self.user, content.get("conversation"))
        await self.channel_layer.group_send(conversation_group(conversation.pk), {"type": "chat.frame", "frame": {
            "type": "status", "conversation": conversation.pk, "status": conversation.status}})
        await self.channel_layer.group_send(AGENTS_GROUP, {"type": "chat.waiting_changed"})

    async def chat_frame(self, event: dict) -> None:
        if await self.refuse_unless_still_allowed():
            await self.send_json(event["frame"])

    async def chat_waiting_changed(self, event: dict) -> None:
        """Only agents listen to this group."""


class ClientChatConsumer(ChatConsumer):
    def may_connect(self) -> bool:
        return policy.is_client_person(self.user)

    async def greet(self) -> None:
        entitled = await database_sync_to_async(actions.chat_entitled)(self.user)
        if not entitled:
            await self.error(ChatError.NOT_ENTITLED, actions.not_entitled_message())
            await self.close(code=4403)
            return
        conversations = await database_sync_to_async(queries.mine)(self.user)
        await self.send_json({"type": "hello", "entitled": True, "conversations": conversations})

    async def on_start(self, content: dict) -> None:
        conversation = await database_sync_to_async(actions.start_conversation)(
            self.user, start_key=content.get("id"), subject=content.get("subject", ""),
            ticket_id=content.get("ticket_id"))
        await self.join(conversation.pk)
        await self.send_json({"type": "started", "conversation": conversation.pk, "id": conversation.start_key,
                              "status": conversation.status})
        await self.channel_layer.group_send(AGENTS_GROUP, {"type": "chat.waiting_changed"})


class AgentChatConsumer(ChatConsumer):
    def may_connect(self) -> bool:
        return can_work_chats(self.user)

    async def greet(self) -> None:
        await self.channel_layer.group_add(AGENTS_GROUP, self.channel_name)
        waiting = await database_sync_to_async(queries.waiting)(self.user)
        mine = await database_sync_to_async(queries.mine)(self.user)
        await self.send_json({"type": "waiting", "conversations": waiting})
        await self.send_json({"type": "mine", "conversations": mine})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(AGENTS_GROUP, self.channel_name)
        await super().disconnect(code)

    async def chat_waiting_changed(self, event: dict) -> None:
        if not await self.refuse_unless_still_allowed():
            return
        waiting = await database_sync_to_async(queries.waiting)(self.user)
        await self.send_json({"type": "waiting", "conversations": waiting})

    async def on_pickup(self, content: dict) -> None:
        conversation = await database_sync_to_async(actions.pick_up)(self.user, content.get("conversation"))
        await self.join(conversation.pk)
        frames = await database_sync_to_async(queries.history)(conversation)
        await self.send_json({"type": "picked", "conversation": conversation.pk, "ticket_id": conversation.ticket_id,
                              "messages": frames})
        await self.channel_layer.group_send(conversation_group(conversation.pk), {"type": "chat.frame", "frame": {
            "type": "status", "conversation": conversation.pk, "status": conversation.status,
            "agent": self.user.display_name, "ticket_id": conversation.ticket_id}})
        await self.channel_layer.group_send(AGENTS_GROUP, {"type": "chat.waiting_changed"})
