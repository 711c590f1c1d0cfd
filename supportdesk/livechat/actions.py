"""Chat state changes: start, post (stored once per client message id), pick up, close.

Every change: check first (policy, entitlement, limits), then do in one transaction with a ChatEvent.
Once an agent picks a conversation up it becomes (or updates) a ticket of channel "chat" and each
later message is mirrored into it; the first agent message is the ticket's initial response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.models import Client, User
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import Conflict, Forbidden, Invalid, NotFound
from supportdesk.policy.livechat import can_join_conversation, can_work_chats
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.merges import follow_merges_for

from .errors import ChatError
from .models import ChatEvent, ChatMessage, Conversation, ConversationStatus

MAX_MESSAGE_CHARS = 2000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def not_entitled_message() -> str:
    return (f"Live chat is part of 24/7 Support, which your plan does not include. Reach support by opening a "
            f"ticket in the portal ({settings.SITE_URL}/portal/tickets/new/) or by email ({settings.DEFAULT_FROM_EMAIL}).")


def chat_entitled(user: User) -> bool:
    return (policy.is_client_person(user)
            and "chat" in entitlements_for(user.client, timezone.now()).features.channels)  # type: ignore[arg-type]


def _client_id(value: object, field: str = "id") -> str:
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise Invalid(ChatError.BAD_ID, f"{field} must be 1 to 64 letters, digits or _.:- (a client-chosen id).",
                      fields={field: "1 to 64 of A-Z a-z 0-9 _ . : -"})
    return value


def _body(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise Invalid(ChatError.BAD_FRAME, "body must be text.", fields={"body": "text"})
    body = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()  # NUL: PostgreSQL text cannot hold it
    if not body:
        raise Invalid("chat.body_required", "Type a message first.", fields={"body": "required"})
    if len(body) > MAX_MESSAGE_CHARS:
        raise Invalid(ChatError.TOO_LONG, f"A chat message can be at most {MAX_MESSAGE_CHARS} characters "
                      f"(this one has {len(body)}). Split it, or attach files in the portal.",
                      fields={"body": f"at most {MAX_MESSAGE_CHARS} characters"})
    return body


def _event(conversation: Conversation, actor: User | None, kind: str, **data: object) -> None:
    ChatEvent.objects.create(conversation=conversation, actor=actor, kind=kind, data=data, created_at=timezone.now())


# Ids are 64-bit: a number past that names no row (SQLite raised OverflowError, PostgreSQL a DataError, and the
# socket failed: a WebSocket has no middleware to answer it), so it is looked for nowhere.
_MAX_ID = 2**63 - 1


def _ticket_id(value: object) -> int | None:
    """The ticket a chat is about: a whole number (or its digits); anything else is refused, not ignored."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    if type(value) is not int:
        raise Invalid(ChatError.BAD_FRAME, "ticket_id must be a ticket number.", fields={"ticket_id": "ticket number"})
    if not 0 < value <= _MAX_ID:
        raise NotFound("ticket")  # as a ticket that does not exist
    return value


def start_conversation(user: User, *, start_key: str, subject: object = "", ticket_id: object = None) -> Conversation:
    """A client person opens a chat (optionally about one of their tickets). A resent start returns the same one."""
    if not policy.is_client_person(user):
        raise Forbidden("Live chat is for client users; staff answer chats from the chat console.", code=ChatError.NOT_A_CLIENT)
    if not chat_entitled(user):
        raise Forbidden(not_entitled_message(), code=ChatError.NOT_ENTITLED)
    key = _client_id(start_key)
    if subject is not None and not isinstance(subject, str):
        raise Invalid(ChatError.BAD_FRAME, "subject must be text.", fields={"subject": "text"})
    subject = " ".join((subject or "").replace("\x00", "").split())[:200]
    ticket = None
    about = _ticket_id(ticket_id)
    if about is not None:
        from supportdesk.tickets.queries import ticket_for

        ticket = ticket_for(user, about)
    existing = Conversation.objects.filter(requester=user, start_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(client=cast(Client, user.client), requester=user, subject=subject, start_key=key,
                                                       ticket=ticket, created_at=timezone.now())
            _event(conversation, user, "chat.started", ticket=ticket.pk if ticket else None)
    except IntegrityError:
        return Conversation.objects.get(requester=user, start_key=key)
    return conversation


def conversation_for(user: User, conversation_id: object) -> Conversation:
    """The conversation if this person may join it; otherwise 404 exactly like a missing id."""
    if isinstance(conversation_id, str) and conversation_id.isascii() and conversation_id.isdigit() \
            and len(conversation_id) <= 18:  # thousands of digits were a ValueError from int(): the socket failed
        conversation_id = int(conversation_id)
    if type(conversation_id) is not int or not 0 < conversation_id <= _MAX_ID:  # not 1.9 (read as 1), true, a list
        raise NotFound("conversation")
    pk = conversation_id
    conversation = Conversation.objects.select_related("requester", "agent", "ticket").filter(pk=pk).first()
    if conversation is None or not can_join_conversation(user, conversation):
        raise NotFound("conversation")
    return conversation


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    created: bool


def post_message(user: User, conversation_id: object, *, client_msg_id: object, body: object) -> Posted:
    """Store a message once per (sender, client id): a resend after a reconnect returns the stored one."""
    conversation = conversation_for(user, conversation_id)
    key, text = _client_id(client_msg_id), _body(body)
    staff = can_work_chats(user)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        existing = ChatMessage.objects.filter(conversation=locked, author=user, client_msg_id=key).first()
        if existing is not None:
            return Posted(existing, created=False)
        if locked.status == ConversationStatus.CLOSED:
            raise Conflict(ChatError.CLOSED, "This chat is closed. Start a new chat or reply on the ticket.")
        if staff and locked.status != ConversationStatus.ACTIVE:
            raise Conflict(ChatError.NOT_PICKED_UP, "Pick the chat up before you write in it.")
        message = ChatMessage.objects.create(conversation=locked, author=user, from_staff=staff, client_msg_id=key,
                                             body=text, created_at=timezone.now())
        if locked.status == ConversationStatus.ACTIVE and locked.ticket is not None:
            _keep_on_a_ticket_that_takes_replies(locked)
            tickets.add_message(user, locked.ticket, body=text, channel="chat", source="chat",
                                source_id=f"chat:{locked.pk}:{message.pk}", from_staff=staff)
    return Posted(message, created=True)


def _keep_on_a_ticket_that_takes_replies(conversation: Conversation) -> None:
    """The chat's ticket was merged or closed while the chat went on: its next lines go to the ticket the work
    moved to (if the client may see it), else to a follow-up ticket linked to it, never nowhere."""
    ticket = conversation.ticket
    assert ticket is not None
    followed = follow_merges_for(conversation.requester, ticket)
    if tickets.reply_reopens(followed):
        new = followed
    else:
        new = tickets.open_ticket(None, requester=conversation.requester, client=conversation.client, channel="chat",
                                  source="chat", subject=f"Chat (follow-up of #{ticket.pk}): {ticket.subject}"[:200],
                                  body="Live chat continued after the ticket was closed.",
                                  source_id=f"chat:{conversation.pk}:follow-up:{ticket.pk}", linked_from=ticket).ticket
    if new.pk != ticket.pk:
        conversation.ticket = new
        conversation.save(update_fields=["ticket"])


def pick_up(agent: User, conversation_id: object) -> Conversation:
    """An agent takes a waiting chat: it becomes a ticket (or updates the ticket it was about)."""
    if not can_work_chats(agent):
        raise NotFound("conversation")
    conversation = conversation_for(agent, conversation_id)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status == ConversationStatus.ACTIVE and locked.agent_id == agent.pk:
            return locked
        if locked.status != ConversationStatus.WAITING:
            raise Conflict(ChatError.ALREADY_TAKEN, "Another agent already took this chat, or it was closed.")
        transcript = "\n".join(m.body for m in locked.messages.filter(from_staff=False).order_by("created_at", "id"))
        source_id = f"chat:{locked.pk}:transcript"
        if locked.ticket is not None:
            # a chat on a duplicate continues where its work went (if the client may see it)
            locked.ticket = follow_merges_for(locked.requester, locked.ticket)
        if locked.ticket is not None and tickets.reply_reopens(locked.ticket):
            tickets.add_message(locked.requester, locked.ticket, body=f"Live chat started.\n\n{transcript}".strip(),
                                channel="chat", source="chat", source_id=source_id, from_staff=False)
        else:
            first_line = (transcript.splitlines() or ["Live chat"])[0]
            locked.ticket = tickets.open_ticket(
                None, requester=locked.requester, client=locked.client, channel="chat", source="chat",
                subject=locked.subject or f"Chat: {first_line[:80]}", body=transcript or "Live chat started.",
                source_id=source_id, at=locked.created_at,  # the client asked then: the response clock runs from it
            ).ticket
        locked.status, locked.agent, locked.picked_up_at = ConversationStatus.ACTIVE, agent, timezone.now()
        locked.save(update_fields=["status", "agent", "picked_up_at", "ticket"])
        _event(locked, agent, "chat.picked_up", ticket=locked.ticket.pk)
        tickets.record_event(locked.ticket, agent, "chat.picked_up", "chat", conversation=locked.pk)
    return locked


def close(user: User, conversation_id: object) -> Conversation:
    conversation = conversation_for(user, conversation_id)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status != ConversationStatus.CLOSED:
            locked.status, locked.closed_at = ConversationStatus.CLOSED, timezone.now()
            locked.save(update_fields=["status", "closed_at"])
            _event(locked, user, "chat.closed")
            if locked.ticket is not None:
                tickets.record_event(locked.ticket, user, "chat.closed", "chat", conversation=locked.pk)
    return locked

