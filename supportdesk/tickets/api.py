"""Ticket endpoints: thin; every write is an action, every read a policy-filtered query."""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import partial

from django.http import HttpRequest
from ninja import File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.accounts.queries import person_with_client
from supportdesk.errors import Invalid, fields_as_sent
from supportdesk.idempotency_keys import check_key
from supportdesk.pagination import PageNumberPagination, PreparedPage, paginate_prepared

from . import actions, attachments, exports, merges, queries
from .errors import TicketError
from .models import Category
from .schemas import (
    MergeIn,
    MessageIn,
    MessageOut,
    TicketDetailOut,
    TicketEventOut,
    TicketIn,
    TicketOut,
    TicketUpdateIn,
)

router = Router()


def _refusals(status: int, description: str) -> dict:
    """An operation's own refusal in the OpenAPI document (supportdesk.api adds the error shape and the common ones)."""
    return {"responses": {status: {"description": description}}}


# The list's and the export's `assignee` filter (queries.assigned reads it).
ASSIGNEE_FILTER = Query(None, pattern="^(me|none|[0-9]{1,12})$", description="me, none (unassigned) or a staff id")


@router.get("/", response=list[TicketOut], summary="List tickets you may see")
@paginate_prepared(page_size=25)
def list_tickets(request: HttpRequest, status: str | None = None, queue: str | None = None,
                 q: str | None = Query(None, description="Full-text search in subjects and conversations"),
                 open_only: bool = False, sort: str = Query("queue", pattern="^(queue|newest)$"),
                 assignee: str | None = ASSIGNEE_FILTER) -> PreparedPage:
    user = policy.signed_in(request)
    _check_filters(status, queue)
    scope = policy.ticket_scope(user)
    plain_queue = open_only and not status and not q and not assignee
    counted = queries.open_ticket_count(scope, queue=queue) if plain_queue else None
    if sort == "queue" and plain_queue:  # the agent queue (W2): a prepared page query
        return PreparedPage(
            count=partial(int, counted) if counted is not None else queries.agent_queue(user, queue=queue, scope=scope).count,
            items=lambda offset, limit: queries.queue_items(scope, queue=queue, offset=offset, limit=limit))
    qs = queries.ticket_list(user, status=status, queue=queue, q=q, open_only=open_only, scope=scope)
    if assignee:
        qs = queries.assigned(qs, user, assignee)
    qs = qs.order_by("-created_at", "-id") if sort == "newest" else qs.order_by(*queries.QUEUE_ORDER)
    return PreparedPage(count=partial(int, counted) if counted is not None else qs.count,
                        items=partial(queries.ticket_items, qs))


# The actions name people by their model fields; the API's bodies name them by id.
_API_FIELD_NAMES = {"requester": "requester_id", "assignee": "assignee_id", "category": "category_id"}


def _api_field_names() -> AbstractContextManager[None]:
    """Refusals name the fields of the request body (`requester_id`, not the model's `requester`)."""
    return fields_as_sent(_API_FIELD_NAMES)


def _check_filters(status: str | None, queue: str | None) -> None:
    if status:
        actions.check_status(status)
    if queue:
        actions.check_queue(queue)


@router.get("/export.csv", summary="Export the tickets you may see as CSV",
            description="The list's filters (`status`, `queue`, `q`, `open_only`, `assignee`) and the same "
                        "authorization: a client user exports their own tickets, client admins and designated users "
                        "their client's, working staff all (billing admins none). Newest first; streamed. The portal "
                        "list and the console's search and queue link it with what they show.",
            response={200: None}, openapi_extra={"responses": {200: {"description": "CSV, one ticket a row",
                                                                     "content": {"text/csv": {}}}}})
def export_tickets(request: HttpRequest, status: str | None = None, queue: str | None = None,
                   q: str | None = Query(None, description="Full-text search in subjects and conversations"),
                   open_only: bool = False,
                   assignee: str | None = ASSIGNEE_FILTER):
    user = policy.signed_in(request)
    _check_filters(status, queue)
    qs = queries.ticket_list(user, status=status, queue=queue, q=q, open_only=open_only)
    if assignee:
        qs = queries.assigned(qs, user, assignee)
    return exports.tickets_csv_response(qs.order_by("-created_at", "-id"))


@router.post("/", response={201: TicketOut, 200: TicketOut}, summary="Open a ticket",
             description="Honours an `Idempotency-Key` header: the same key and body return the same ticket "
                         "(200); the same key with another body is refused (422).")
def create_ticket(request: HttpRequest, payload: TicketIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    check_key(idempotency_key, "ticket.bad_idempotency_key")
    requester = None
    if payload.requester_id is not None and policy.is_staff_member(policy.signed_in(request)):
        requester = person_with_client(payload.requester_id)
        if requester is None:
            raise Invalid("ticket.unknown_requester", "No such requester.", fields={"requester_id": "unknown"})
    elif not policy.is_client_person(policy.signed_in(request)) and not policy.is_staff_member(policy.signed_in(request)):
        raise Invalid("ticket.requester_required", "Name the client user the ticket is for.",
                      fields={"requester_id": "required"})
    category = None
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise Invalid(TicketError.UNKNOWN_CATEGORY, f"No ticket category {payload.category_id}.",
                          fields={"category_id": "unknown"})
    with _api_field_names():
        opened = actions.open_ticket(policy.signed_in(request), subject=payload.subject, body=payload.body,
                                     severity=payload.severity, channel="api", requester=requester, category=category,
                                     source="api", idempotency_key=idempotency_key)
    ticket = queries.opened_ticket_for(policy.signed_in(request), opened)
    # Rendered here from a TicketOut-shaped, validated dict: ninja's validation of a model instance through
    # DjangoGetter was a tenth of this endpoint's time (W1, bench/README.md). The document is the same.
    from supportdesk.api import api

    return api.create_response(request, queries.ticket_item(ticket), status=201 if opened.created else 200)


# A client retrying a POST after a timeout must not write twice: every create of a ticket's conversation takes one.
_IDEMPOTENT = ("Honours an `Idempotency-Key` header (1 to 100 characters, per person): the same key and {what} "
               "return the first {thing} (200, also after the ticket has closed since); the same key with another "
               "{what} is refused (422 `ticket.idempotency_key_reused`).")


@router.get("/next", response={200: TicketOut, 204: None}, summary="The next ticket to work (staff)")
def next_ticket(request: HttpRequest):
    if not policy.has_role(policy.signed_in(request), *policy.STAFF_WORKERS):
        from supportdesk.errors import Forbidden

        raise Forbidden("Only support staff take tickets from the queue.")
    ticket = queries.next_ticket(policy.signed_in(request))
    return Status(200, ticket) if ticket else Status(204, None)


@router.get("/{ticket_id}", response=TicketDetailOut, summary="A ticket with its conversation")
def get_ticket(request: HttpRequest, ticket_id: int):
    ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    user = policy.signed_in(request)
    ticket.messages_visible = list(policy.visible_messages(user, ticket))  # type: ignore[attr-defined]
    ticket.merged_into_visible = policy.visible_merge_target(user, ticket)  # type: ignore[attr-defined]
    return ticket


@router.patch("/{ticket_id}", response=TicketOut, summary="Change status, severity, assignee, queue or subject",
              description="Send the `version` you loaded; if someone saved in between you get 409 and nothing changes. "
                          "A status that may not follow the current one is 422 `ticket.bad_transition`.",
              openapi_extra=_refusals(409, "`ticket.stale_version`: saved by someone since you loaded it; "
                                           "`details.current_version` says the version now. Nothing changed."))
def patch_ticket(request: HttpRequest, ticket_id: int, payload: TicketUpdateIn):
    ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    with _api_field_names():
        updated = actions.update_ticket(policy.signed_in(request), ticket, expected_version=payload.version,
                                        source="api", status=payload.status, severity=payload.severity,
                                        queue=payload.queue, subject=payload.subject, assignee=payload.assignee_id)
    return queries.ticket_for(policy.signed_in(request), updated.pk)


@router.post("/{ticket_id}/merge", response=TicketOut, summary="Merge this duplicate into another ticket (staff)",
             description="Closes this ticket as a duplicate of `into` (same client, neither closed nor merged): the "
                         "target gets an internal note with this ticket's conversation, and email, chat and phone "
                         "replies to this ticket go to the target. Refused: `ticket.merge_self`, "
                         "`ticket.merge_other_client` (422), `ticket.merge_closed`, `ticket.already_merged` (409).",
             openapi_extra=_refusals(409, "`ticket.merge_closed` or `ticket.already_merged`: nothing changed."))
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn):
    user = policy.signed_in(request)
    source = queries.ticket_for(user, ticket_id)
    target = queries.ticket_for(user, payload.into)
    merged = merges.merge_ticket(user, source, target, tell_requester=payload.tell_requester, via="api")
    return queries.ticket_for(user, merged.pk)


@router.post("/{ticket_id}/messages", response={201: MessageOut, 200: MessageOut},
             summary="Reply, add an internal note or log a call",
             description=_IDEMPOTENT.format(what="ticket, kind and body", thing="message"))
def post_message(request: HttpRequest, ticket_id: int, payload: MessageIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    check_key(idempotency_key, "ticket.bad_idempotency_key")
    ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    added = actions.write_message(policy.signed_in(request), ticket, body=payload.body, kind=payload.kind,
                                  channel="phone" if payload.kind == "call" else "api", source="api",
                                  idempotency_key=idempotency_key)
    return Status(201 if added.created else 200, added.message)


@router.get("/{ticket_id}/messages", response=list[MessageOut], summary="The conversation you may see, oldest first",
            description="Public replies and logged calls; internal notes for staff only. The ticket's detail embeds "
                        "the same conversation; this list pages it.")
@paginate(PageNumberPagination, page_size=50)
def list_messages(request: HttpRequest, ticket_id: int):
    user = policy.signed_in(request)
    return policy.visible_messages(user, queries.ticket_for(user, ticket_id)).order_by("created_at", "id")


@router.get("/{ticket_id}/events", response=list[TicketEventOut], summary="The append-only history")
@paginate(PageNumberPagination, page_size=100)
def ticket_events(request: HttpRequest, ticket_id: int):
    ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    return policy.visible_events(policy.signed_in(request), ticket)


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    internal: bool


@router.post("/{ticket_id}/attachments", response={201: AttachmentOut, 200: AttachmentOut}, summary="Attach a file",
             description=_IDEMPOTENT.format(what="ticket, file name, content and `internal`", thing="attachment"))
def upload_attachment(request: HttpRequest, ticket_id: int, file: UploadedFile = File(...), internal: bool = False,
                      idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    check_key(idempotency_key, "ticket.bad_idempotency_key")
    ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    attached = attachments.store_attachment(policy.signed_in(request), ticket, upload=file,
                                            filename=file.name or "attachment", content_type=file.content_type or "",
                                            internal=internal, source="api", idempotency_key=idempotency_key)
    return Status(201 if attached.created else 200, attached.attachment)


@router.get("/{ticket_id}/attachments", response=list[AttachmentOut], summary="Attachments you may see")
@paginate(PageNumberPagination, page_size=50)
def list_attachments(request: HttpRequest, ticket_id: int):
    queries.ticket_for(policy.signed_in(request), ticket_id)
    return queries.attachments_of(policy.signed_in(request), ticket_id)


@router.get("/{ticket_id}/attachments/{attachment_id}", summary="Download an attachment",
            response={200: None}, openapi_extra={"responses": {200: {"description": "The file, as a download"}}})
def download_attachment(request: HttpRequest, ticket_id: int, attachment_id: int):
    return attachments.download_response(attachments.attachment_for(policy.signed_in(request), ticket_id, attachment_id))
