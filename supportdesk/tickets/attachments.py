"""Attachments: stored under generated names through Django storage, served only as downloads."""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from collections.abc import Sequence
from typing import IO, Any

from django.core.files.base import File
from django.db import transaction
from django.http import FileResponse

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import DomainError, Invalid, NotFound

from . import actions
from .actions import record_event
from .models import Attachment, Message, MessageKind, Ticket

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_FILES_PER_MESSAGE = 10


def safe_filename(name: str) -> str:
    """Keep a readable name for display and downloads, without paths or control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    return name[:200] or "attachment"


def add_attachment(actor: User | None, ticket: Ticket, *, upload: IO[bytes], filename: str,
                   content_type: str = "", message: Message | None = None, internal: bool = False,
                   source: str = "web") -> Attachment:
    """A file on a ticket, alone or on `message`. Without an actor (intake, system) the caller has already decided
    where it goes; a person's file follows the rule of a reply (actions.add_message): a client's is refused on a
    closed ticket (422 `ticket.closed`, naming `file`), staff's is taken."""
    if actor is not None and not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    staff = actor is None or policy.is_staff_member(actor)
    actions.refuse_closed_for_client(actor, ticket, staff, field="file")
    if internal and actor is not None and not policy.can_see_internal(actor):
        internal = False
    if message is not None and message.kind == MessageKind.INTERNAL:
        internal = True  # a file on an internal note is as internal as the note, whoever forgot to say so
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        size += len(chunk)
        if size > MAX_ATTACHMENT_BYTES:
            raise Invalid("attachment.too_large", f"Attachments are limited to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
                          fields={"file": "too large"})
        digest.update(chunk)
    if size == 0:
        raise Invalid("attachment.empty", "The file is empty.", fields={"file": "empty"})
    upload.seek(0)
    name = safe_filename(filename)
    content_type = (content_type or mimetypes.guess_type(name)[0] or "application/octet-stream")[:120]
    with transaction.atomic():
        if not staff:  # again under the ticket's lock: a close or a merge may have just won
            actions.refuse_closed_for_client(actor, Ticket.objects.select_for_update().get(pk=ticket.pk), staff,
                                             field="file")
        attachment = Attachment(ticket=ticket, message=message, filename=name, content_type=content_type, size=size,
                                sha256=digest.hexdigest(), internal=internal, uploaded_by=actor)
        attachment.file.save(name, File(upload), save=False)
        attachment.save()
        record_event(ticket, actor, "attachment.added", source, attachment_id=attachment.pk, filename=name,
                     size=size, internal=internal)
    return attachment


def check_uploads(uploads: Sequence[Any], field: str = "attachments") -> None:
    """Refuse a set of uploaded files (Django UploadedFile) before anything is written: too many, empty, too large."""
    if len(uploads) > MAX_FILES_PER_MESSAGE:
        raise Invalid("attachment.too_many", f"Attach at most {MAX_FILES_PER_MESSAGE} files at a time "
                      f"({len(uploads)} were chosen).", fields={field: f"at most {MAX_FILES_PER_MESSAGE} files"})
    for upload in uploads:
        name = safe_filename(getattr(upload, "name", "") or "")
        if not upload.size:
            raise Invalid("attachment.empty", f"{name} is empty; nothing was sent.", fields={field: f"{name} is empty"})
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise Invalid("attachment.too_large", f"{name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; "
                          "nothing was sent.", fields={field: f"{name} is too large"})


def _attach_all(actor: User, ticket: Ticket, uploads: Sequence[Any], message: Message, source: str) -> None:
    for upload in uploads:
        add_attachment(actor, ticket, upload=upload, filename=upload.name or "attachment",
                       content_type=upload.content_type or "", message=message, source=source)


def open_ticket_with_attachments(actor: User, uploads: Sequence[Any], *, source: str = "web",
                                 **fields: Any) -> actions.Opened:
    """Open a ticket and attach the files to its opening message, all or nothing."""
    check_uploads(uploads)
    with transaction.atomic():
        opened = actions.open_ticket(actor, source=source, **fields)
        if opened.created and uploads:
            opening = opened.ticket.messages.order_by("created_at", "id").first()
            assert opening is not None
            _attach_all(actor, opened.ticket, uploads, opening, source)
    return opened


def reply_with_attachments(actor: User, ticket: Ticket, uploads: Sequence[Any], *, body: str, source: str = "web",
                           **fields: Any) -> Message:
    """A public message with files attached to it, all or nothing."""
    check_uploads(uploads)
    with transaction.atomic():
        message = actions.add_message(actor, ticket, body=body, source=source, **fields)
        _attach_all(actor, ticket, uploads, message, source)
    return message


def attachment_for(user: object, ticket_id: int, attachment_id: int) -> Attachment:
    attachment = policy.visible_attachments(user).filter(pk=attachment_id, ticket_id=ticket_id).first()
    if attachment is None:
        raise NotFound("attachment")
    return attachment


def download_response(attachment: Attachment) -> FileResponse:
    """Always a download (never rendered inline), with sniffing off and a sandboxing CSP."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:  # the row survived a storage loss or a restore without media
        raise DomainError("attachment.file_missing", f"The file of attachment {attachment.pk} is missing from "
                          "storage; ask support to attach it again.", status=404) from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
