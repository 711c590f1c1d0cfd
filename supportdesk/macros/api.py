"""REST endpoints of saved replies (mounted at /api/v1/macros): thin; writes are actions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.errors import Invalid
from supportdesk.pagination import PageNumberPagination
from supportdesk.tickets import queries as ticket_queries

from . import actions, queries
from .schemas import RenderedOut, SavedReplyIn, SavedReplyOut, SavedReplyPatchIn

router = Router()
NOT_NULL = ("title", "body", "kind")  # PATCH: null status clears it; null anything else is refused


@router.get("", response=list[SavedReplyOut], summary="Saved replies you may use",
            description="Shared replies first, then your own personal ones, each by title.")
@paginate(PageNumberPagination, page_size=50)
def list_replies(request: HttpRequest, include_archived: bool = Query(False, description="Also archived ones")):
    return queries.replies(policy.signed_in(request), include_archived=include_archived)


@router.post("", response={201: SavedReplyOut}, summary="Write a saved reply",
             description="Personal unless `shared`; shared replies are written by managers and system admins.")
def create_reply(request: HttpRequest, payload: SavedReplyIn):
    return Status(201, actions.save_reply(policy.signed_in(request), **payload.dict()))


@router.get("/{reply_id}", response=SavedReplyOut, summary="A saved reply")
def get_reply(request: HttpRequest, reply_id: int):
    return queries.reply_for(policy.signed_in(request), reply_id)


@router.patch("/{reply_id}", response=SavedReplyOut, summary="Change a saved reply (yours; shared: managers)")
def patch_reply(request: HttpRequest, reply_id: int, payload: SavedReplyPatchIn):
    user = policy.signed_in(request)
    reply = queries.reply_for(user, reply_id)
    data = payload.dict(exclude_unset=True)
    nulls = sorted(name for name in NOT_NULL if name in data and data[name] is None)
    if nulls:
        raise Invalid("invalid_request", f"{', '.join(nulls)} cannot be null; leave a field out to keep it.",
                      fields=dict.fromkeys(nulls, "cannot be null"))
    values = {name: getattr(reply, name) for name in actions.EDITABLE} | data
    return actions.save_reply(user, reply=reply, **values)


@router.post("/{reply_id}/archive", response=SavedReplyOut, summary="Archive a saved reply (no longer offered)")
def archive_reply(request: HttpRequest, reply_id: int):
    user = policy.signed_in(request)
    return actions.archive_reply(user, queries.reply_for(user, reply_id))


@router.get("/{reply_id}/render", response=RenderedOut, summary="A saved reply filled in for a ticket",
            description="What the console's composer is filled with: the text, its kind and the status to offer.")
def render_reply(request: HttpRequest, reply_id: int, ticket_id: int = Query(..., description="The ticket")):
    user = policy.signed_in(request)
    reply = queries.reply_for(user, reply_id, usable=True)
    return actions.render_reply(user, reply, ticket_queries.ticket_for(user, ticket_id))._asdict()
