"""Attachments: stored under generated names through Django storage, served only as downloads."""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.http import FileResponse

from supportdesk import policy, stored_files
from supportdesk.accounts.models import User
from supportdesk.errors import DomainError, Invalid, NotFound

from . import actions
from .actions import record_event
from .errors import TicketError
from .models import Attachment, Message, MessageKind, Ticket

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_FILES_PER_MESSAGE = 10


def safe_filename(name: str) -> str:
    """Keep a readable name for display and downloads, without paths or control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    return name[:200] or "attachment"


@dataclass(frozen=True)
class Attached:
    attachment: Attachment
    created: bool  # False when an idempotency key's replay returned the earlier attachment


def add_attachment(actor: User | None, ticket: Ticket, *, upload: IO[bytes], filename: str,
                   content_type: str = "", message: Message | None = None, internal: bool = False,
                   source: str = "web") -> Attachment:
    """A file on a ticket, alone or on `message`. Without an actor (intake, system) the caller has already decided
    where it goes; a person's file follows the rule of a reply (actions.add_message): a client's is refused on a
    closed ticket (422 `ticket.closed`, naming `file`), staff's is taken."""
    return store_attachment(actor, ticket, upload=upload, filename=filename, content_type=content_type,
                            message=message, internal=internal, source=source).attachment


def store_attachment(actor: User | None, ticket: Ticket, *, upload: IO[bytes], filename: str,
                     content_type: str = "", message: Message | None = None, internal: bool = False,
                     source: str = "web", idempotency_key: str | None = None) -> Attached:
    """`add_attachment`, honouring the uploader's `idempotency_key` (API Idempotency-Key): the same key with the same
    ticket, file (name and content) and internal flag returns the earlier attachment (created False), the same key
    with anything else is 422 `ticket.idempotency_key_reused`. The file is stored, then its row written: a failure
    in between deletes the file (stored_files)."""
    if actor is not None and not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    staff = actor is None or policy.is_staff_member(actor)
    key = idempotency_key if actor is not None else None
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
    sent = (ticket.pk, name, digest.hexdigest(), internal)
    # A retry gets its first answer, even once the ticket has closed since (before the closed check).
    if key and (earlier := _earlier_attachment(actor, key, sent)):
        return Attached(earlier, created=False)
    actions.refuse_closed_for_client(actor, ticket, staff, field="file")
    content_type = (content_type or mimetypes.guess_type(name)[0] or "application/octet-stream")[:120]
    try:
        with stored_files.removed_on_failure(), transaction.atomic():
            if not staff:  # again under the ticket's lock: a close or a merge may have just won
                actions.refuse_closed_for_client(actor, Ticket.objects.select_for_update().get(pk=ticket.pk), staff,
                                                 field="file")
            attachment = Attachment(ticket=ticket, message=message, filename=name, content_type=content_type,
                                    size=size, sha256=digest.hexdigest(), internal=internal, uploaded_by=actor,
                                    idempotency_key=key)
            stored_files.save(attachment.file, name, File(upload))
            attachment.save()
            record_event(ticket, actor, "attachment.added", source, attachment_id=attachment.pk, filename=name,
                         size=size, internal=internal)
    except IntegrityError:
        # The same upload retried while the first was still being stored: its file is already removed.
        if key and (earlier := _earlier_attachment(actor, key, sent)):
            return Attached(earlier, created=False)
        raise
    return Attached(attachment, created=True)


def _earlier_attachment(uploader: User | None, key: str, sent: tuple[int, str, str, bool]) -> Attachment | None:
    earlier = Attachment.objects.filter(uploaded_by=uploader, idempotency_key=key).first()
    if earlier is None:
        return None
    if (earlier.ticket_id, earlier.filename, earlier.sha256, earlier.internal) != sent:
        raise Invalid(TicketError.IDEMPOTENCY_KEY_REUSED,
                      "This Idempotency-Key was already used with a different upload (another ticket or file).",
                      fields={"Idempotency-Key": "reused with another body"})
    return earlier


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
    with stored_files.removed_on_failure(), transaction.atomic():  # a later file failing removes the earlier ones
        opened = actions.open_ticket(actor, source=source, **fields)
        if opened.created and uploads:
            opening = opened.ticket.messages.order_by("created_at", "id").first()
            assert opening is not None
            _attach_all(actor, opened.ticket, uploads, opening, source)
    return opened


def reply_with_attachments(actor: User, ticket: Ticket, uploads: Sequence[Any], *, body: str, source: str = "web",
                           idempotency_key: str | None = None, **fields: Any) -> actions.Added:
    """A public message with files attached to it, all or nothing. A replay of `idempotency_key` (a web form sent
    twice) returns the first message and attaches nothing again."""
    check_uploads(uploads)
    with stored_files.removed_on_failure(), transaction.atomic():  # a later file failing removes the earlier ones
        added = actions.write_message(actor, ticket, body=body, source=source, idempotency_key=idempotency_key,
                                      **fields)
        if added.created:
            _attach_all(actor, ticket, uploads, added.message, source)
    return added


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
