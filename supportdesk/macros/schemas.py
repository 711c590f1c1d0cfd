from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from . import placeholders
from .actions import MAX_BODY, MAX_TITLE

Kind = Literal["public", "internal"]
ReplyStatus = Literal["open", "waiting", "on_hold", "solved", "closed"]  # models.REPLY_STATUSES (a test holds them equal)
BODY_HELP = "Plain text; placeholders: " + ", ".join(placeholders.known_tokens()) + " (any other is refused)."
STATUS_HELP = "Offered as 'then set status to …' when the reply is used; null: none."


class SavedReplyOut(Schema):
    id: int
    title: str
    body: str
    kind: Kind
    status: ReplyStatus | None
    shared: bool = Field(..., description="Shared with all staff (no owner) rather than personal")
    owner_id: int | None
    archived: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_status(obj) -> str | None:  # noqa: ANN001
        return obj.status or None


class SavedReplyIn(Schema):
    title: str = Field(..., max_length=MAX_TITLE, description="Unique among the shared replies, or among yours")
    body: str = Field(..., max_length=MAX_BODY, description=BODY_HELP)
    kind: Kind = "public"
    status: ReplyStatus | None = Field(None, description=STATUS_HELP)
    shared: bool = Field(False, description="Shared with all staff (managers and system admins only)")


class SavedReplyPatchIn(Schema):
    title: str | None = Field(None, max_length=MAX_TITLE)
    body: str | None = Field(None, max_length=MAX_BODY, description=BODY_HELP)
    kind: Kind | None = None
    status: ReplyStatus | None = Field(None, description=STATUS_HELP)


class RenderedOut(Schema):
    body: str = Field(..., description="The text with the ticket's values filled in (plain text, not HTML)")
    kind: Kind
    status: ReplyStatus | None = Field(..., description="The status to offer after sending; null when none, or "
                                                         "when the ticket cannot move to it from its current one")
