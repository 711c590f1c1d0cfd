"""Resolution guides and screen recordings (R12), kept in the client's self-service library.

A guide is a help-center Article (section "Resolution guides", created here if missing), private to
the client (visibility "client") unless the TAM publishes it for everyone. A recording is streamed to
a temporary file with a size limit, must start with a video container's magic bytes, and is stored
through Django storage under a generated name."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils.html import linebreaks
from django.utils.text import slugify

from supportdesk import stored_files
from supportdesk.accounts.models import User
from supportdesk.errors import Invalid, NotFound
from supportdesk.helpcenter.actions import create_article
from supportdesk.helpcenter.models import Article, Section, Visibility
from supportdesk.idempotency_keys import (
    Written,
    check_key,
    earlier_by_key,
    request_digest,
    write_once,
)
from supportdesk.tickets.actions import record_event
from supportdesk.tickets.models import Ticket

from . import uploads
from .actions import log, require_feature, require_worker
from .errors import TamError
from .models import LibraryItem, LibraryKind

MAX_RECORDING_BYTES = 500 * 1024 * 1024
GUIDES_SECTION = ("Resolution guides", "resolution-guides")


def _check_ticket(actor: User | None, ticket: Ticket) -> None:
    require_worker(actor, ticket.client)
    if ticket.category is None or not ticket.category.guides_enabled:
        raise Invalid(TamError.GUIDES_NOT_ENABLED, "Guides and recordings are for tickets of categories marked for "
                      "them; set such a category on the ticket first.", fields={"category": "guides not enabled"})
    require_feature(ticket.client, "resolution_guides", "resolution guides and recordings")


def _title(title: str) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise Invalid(TamError.REQUIRED, "A title is required.", fields={"title": "required"})
    return title[:200]


def place_guide(actor: User | None, ticket: Ticket, *, title: str = "", body: str = "", private: bool = True,
                article_id: int | None = None, source: str = "web",
                idempotency_key: str | None = None) -> Written[LibraryItem]:
    """A guide on the ticket: `article_id`'s article (`attach_article`), else the steps as a new published article
    (`attach_guide`), honouring the TAM's `idempotency_key` (an API Idempotency-Key, the guide page's submission):
    the same key with the same ticket, article, title, steps and privacy answers the guide it attached (created
    False) and publishes nothing again; the same key with anything else is 422 `tam.idempotency_key_reused`."""
    _check_ticket(actor, ticket)
    check_key(idempotency_key, TamError.BAD_IDEMPOTENCY_KEY)
    key = idempotency_key if actor is not None else None  # scoped to a person: the system sends no retries
    steps = str(body or "").replace("\r\n", "\n").strip()
    sent = request_digest("guide", ticket.pk, article_id, " ".join(str(title or "").split()), steps,
                          bool(private) if article_id is None else None)

    earlier = earlier_by_key(LibraryItem.objects.filter(created_by=actor), key, sent,
                             TamError.IDEMPOTENCY_KEY_REUSED, "guide")

    def write() -> LibraryItem:
        keyed = {"idempotency_key": key, "idempotency_hash": sent if key else None}
        if article_id is not None:
            return attach_article(actor, ticket, article_id=article_id, title=title, steps=steps, source=source, **keyed)
        return attach_guide(actor, ticket, title=title, body=steps, private=private, source=source, **keyed)

    # The guide's article is written in the item's transaction: a retry refused by the key publishes no copy.
    return write_once(key, earlier, write)


def attach_guide(actor: User | None, ticket: Ticket, *, title: str, body: str, private: bool = True,
                 source: str = "web", idempotency_key: str | None = None,
                 idempotency_hash: str | None = None) -> LibraryItem:
    _check_ticket(actor, ticket)
    title = _title(title)
    body = str(body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid(TamError.REQUIRED, "Write the steps of the guide.", fields={"body": "required"})
    with transaction.atomic():
        section, _ = Section.objects.get_or_create(slug=GUIDES_SECTION[1], defaults={"name": GUIDES_SECTION[0]})
        # Through the help center's action: its HTML body (the steps as escaped paragraphs and line
        # breaks), its search index, its history.
        article = create_article(actor, section=section, title=title, body=linebreaks(body, autoescape=True),
                                 slug=f"{slugify(title)[:180] or 'guide'}-{secrets.token_hex(4)}",
                                 visibility=Visibility.CLIENT if private else Visibility.EVERYONE,
                                 client=ticket.client if private else None, publish=True)
        return _attach_guide_item(actor, ticket, article, title, source, private=private,
                                  idempotency_key=idempotency_key, idempotency_hash=idempotency_hash)


def _attach_guide_item(actor: User | None, ticket: Ticket, article: Article, title: str, source: str, *,
                       private: bool, idempotency_key: str | None = None,
                       idempotency_hash: str | None = None) -> LibraryItem:
    """The library entry for a guide article, its ticket event and its log line (inside the caller's transaction)."""
    item = LibraryItem.objects.create(client=ticket.client, ticket=ticket, kind=LibraryKind.GUIDE, title=title,
                                      article=article, created_by=actor, idempotency_key=idempotency_key,
                                      idempotency_hash=idempotency_hash)
    record_event(ticket, actor, "tam.guide_attached", source, library_item=item.pk, article=article.slug,
                 private=private)
    log(ticket.client, actor, "library.guide_attached", item=item.pk, ticket=ticket.pk, article=article.pk)
    return item


def attach_article(actor: User | None, ticket: Ticket, *, article_id: int, title: str = "", steps: str = "",
                   source: str = "web", idempotency_key: str | None = None,
                   idempotency_hash: str | None = None) -> LibraryItem:
    """Attach an existing help-center article as the ticket's step-by-step guide.

    Only an article the ticket's requester can read (published; for everyone, signed-in people, the
    client's entitled plans, or private to this very client): the library must never show a client
    another client's private guide or a draft."""
    from supportdesk.policy.helpcenter import can_view_article

    _check_ticket(actor, ticket)
    if steps.strip():  # the article is the guide: steps sent with it would be dropped without a word
        raise Invalid(TamError.STEPS_OR_ARTICLE, "Give either the steps of a new guide or an existing article, "
                      "not both: the steps would not be part of the article.", fields={"body": "leave empty with an article"})
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Invalid(TamError.ARTICLE_NOT_VISIBLE, f"There is no help-center article #{article_id}.",
                      fields={"article_id": "unknown"})
    if not can_view_article(ticket.requester, article):
        raise Invalid(TamError.ARTICLE_NOT_VISIBLE, f"{ticket.client.name} cannot read the article "
                      f"{article.title!r} (a draft, or private to another client or plan); publish it for them "
                      "or write a guide for this ticket.", fields={"article_id": "not visible to the client"})
    title = _title(title or article.title)
    with transaction.atomic():
        return _attach_guide_item(actor, ticket, article, title, source, private=article.visibility == Visibility.CLIENT,
                                  idempotency_key=idempotency_key, idempotency_hash=idempotency_hash)


def attach_recording(actor: User | None, ticket: Ticket, *, chunks: Iterable[bytes], filename: str, title: str = "",
                     source: str = "web") -> LibraryItem:
    """`chunks` is the upload as it arrives (request body or upload chunks): never read whole into memory."""
    _check_ticket(actor, ticket)
    name = uploads.safe_name(filename, "recording")
    title = _title(title or name)
    spooled = uploads.spool(chunks, limit=MAX_RECORDING_BYTES, code=TamError.RECORDING_TOO_LARGE,
                            what="recording")
    if spooled.size == 0:
        raise Invalid(TamError.EMPTY_FILE, "The recording is empty.", fields={"file": "empty"})
    kind = uploads.sniff_video(spooled.head)
    if kind is None:
        spooled.file.close()
        raise Invalid(TamError.RECORDING_NOT_VIDEO, "This file is not a video (MP4, MOV, WebM, MKV, AVI or Ogg "
                      "Theora), whatever its name says.", fields={"file": "not a video"}, status=415)
    with stored_files.removed_on_failure(), transaction.atomic():  # no file left behind by a failed write
        item = LibraryItem(client=ticket.client, ticket=ticket, kind=LibraryKind.RECORDING, title=title,
                           filename=name, content_type=kind, size=spooled.size, sha256=spooled.sha256,
                           created_by=actor)
        stored_files.save(item.file, "recording", uploads.as_file(spooled))
        item.save()
        record_event(ticket, actor, "tam.recording_attached", source, library_item=item.pk, size=spooled.size,
                     content_type=kind)
        log(ticket.client, actor, "library.recording_attached", item=item.pk, ticket=ticket.pk, size=spooled.size)
    return item


def visible_items(user: object):  # noqa: ANN201
    from supportdesk.policy import tam as tam_policy

    return (LibraryItem.objects.filter(ticket__in=tam_policy.visible_library_tickets(user))
            .select_related("ticket", "article", "client"))


def item_for(user: object, item_id: int) -> LibraryItem:
    item = visible_items(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("library item")
    return item
