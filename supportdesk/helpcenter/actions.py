"""Every change in the help center: check first, then do, in one transaction, writing a HelpEvent.

Views, the API and the CLI all come through here.
"""

from __future__ import annotations

import math
import mimetypes
from datetime import timedelta
from typing import IO, Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from supportdesk import stored_files
from supportdesk.accounts.models import Client, User
from supportdesk.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from supportdesk.idempotency_keys import (
    Written,
    check_key,
    earlier_by_key,
    request_digest,
    write_once,
)
from supportdesk.policy import helpcenter as help_policy
from supportdesk.tickets.attachments import safe_filename

from . import search
from .errors import HelpError
from .models import Article, ArticleAttachment, ArticleStatus, Comment, HelpEvent, Section, Visibility
from .sanitising import clean_article_html, clean_comment, html_to_text

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_COMMENT = 5000
COMMENTS_PER_MINUTE = 5
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
EDITABLE = ("title", "body", "section", "slug", "visibility", "required_offering", "client", "comments_open")


def record_event(article: Article | None, actor: User | None, kind: str, **data: Any) -> HelpEvent:
    return HelpEvent.objects.create(article=article, actor=actor, kind=kind, data=data)


def _require_editor(actor: User | None) -> None:
    if actor is not None and not help_policy.can_edit_articles(actor):
        raise Forbidden("Only support staff write help center articles.", code=HelpError.EDIT_FORBIDDEN)


def create_section(actor: User | None, *, name: str, slug: str = "", description: str = "",
                   position: int = 0) -> Section:
    _require_editor(actor)
    name = (name or "").replace("\x00", "").strip()  # NUL: PostgreSQL text cannot hold it
    description = (description or "").replace("\x00", "")
    if not name:
        raise Invalid(HelpError.TITLE_REQUIRED, "A section needs a name.", fields={"name": "required"})
    explicit = bool(slug)
    slug = slugify(slug or name)[:120]
    if not slug and not explicit:  # the address comes from the name: say so on the name
        raise Invalid(HelpError.BAD_SLUG, "A section name needs letters or digits (its address is made from them).",
                      fields={"name": "needs letters or digits"})
    if not slug:
        raise Invalid(HelpError.BAD_SLUG, "The slug needs letters or digits.", fields={"slug": "invalid"})
    with transaction.atomic():
        if Section.objects.filter(name=name).exists() or Section.objects.filter(slug=slug).exists():
            raise Conflict(HelpError.DUPLICATE_SECTION, f"A section named {name!r} or with slug {slug!r} exists.",
                           fields={"name": "already used"})
        section = Section.objects.create(name=name, slug=slug, description=description.strip(), position=position)
        record_event(None, actor, "section.created", section_id=section.pk, name=name)
    return section


def create_article(actor: User | None, *, section: Section, title: str, body: str, slug: str = "",
                   visibility: str = Visibility.EVERYONE, required_offering: str = "", client: Client | None = None,
                   comments_open: bool = True, publish: bool = False) -> Article:
    """A new article, a draft unless `publish`; the slug comes from the title when not given."""
    return write_article(actor, section=section, title=title, body=body, slug=slug, visibility=visibility,
                         required_offering=required_offering, client=client, comments_open=comments_open,
                         publish=publish).record


def write_article(actor: User | None, *, section: Section, title: str, body: str, slug: str = "",
                  visibility: str = Visibility.EVERYONE, required_offering: str = "", client: Client | None = None,
                  comments_open: bool = True, publish: bool = False,
                  idempotency_key: str | None = None) -> Written[Article]:
    """`create_article`, honouring the author's `idempotency_key` (an API Idempotency-Key, the new-article page's
    submission): the same key with the same section, title, body, slug, visibility, offering, client, comments and
    publish answers the article it wrote (created False), also after it was edited since; the same key with anything
    else is 422 `help.idempotency_key_reused`. Without it a second identical article would be published as "-2"."""
    _require_editor(actor)
    check_key(idempotency_key, HelpError.BAD_IDEMPOTENCY_KEY)
    values = _validated(None, {"section": section, "title": title, "body": body, "slug": slug,
                               "visibility": visibility, "required_offering": required_offering, "client": client,
                               "comments_open": comments_open})
    key = idempotency_key if actor is not None else None  # scoped to a person: the system sends no retries
    sent = request_digest("article", values["section"].pk, values["title"], values["body"], values["slug"],
                          values["visibility"], values["required_offering"],
                          values["client"].pk if values["client"] else None, values["comments_open"], bool(publish))

    earlier = earlier_by_key(Article.objects.filter(author=actor), key, sent,
                             HelpError.IDEMPOTENCY_KEY_REUSED, "article")

    def write() -> Article:
        with transaction.atomic():
            values["slug"] = _unique_slug(values["slug"] or slugify(values["title"])[:190], explicit=bool(slug))
            now = timezone.now()
            article = Article.objects.create(
                **values, author=actor, search_text=_search_text(values["title"], values["body"]),
                status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT, published_at=now if publish else None,
                idempotency_key=key, idempotency_hash=sent if key else None)
            search.index_article(article.pk, article.search_text)
            record_event(article, actor, "article.created", status=article.status, visibility=article.visibility)
        return article

    # A retry is answered before the slug check: its own slug, taken by the first attempt, is no conflict.
    return write_once(key, earlier, write)


def edit_article(actor: User | None, article: Article, **changes: Any) -> Article:
    """Change any of EDITABLE; unknown names are refused."""
    _require_editor(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(HelpError.BAD_VISIBILITY, f"Cannot change {', '.join(sorted(unknown))}.",
                      fields={name: "not editable" for name in unknown})
    current = {name: getattr(article, name) for name in EDITABLE}
    values = _validated(article, {**current, **changes})
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if values["slug"] != locked.slug:
            values["slug"] = _unique_slug(values["slug"], explicit=True, exclude=locked.pk)
        changed = sorted(name for name in EDITABLE if values[name] != getattr(locked, name))
        for name, value in values.items():
            setattr(locked, name, value)
        locked.search_text = _search_text(locked.title, locked.body)
        locked.save()
        search.index_article(locked.pk, locked.search_text)
        record_event(locked, actor, "article.edited", fields=changed)
    return locked


def update_article(actor: User | None, article: Article, *, status: str | None = None, **changes: Any) -> Article:
    """An API PATCH: field changes and a status together, checked first and done in one transaction, so a refused
    status (or field) leaves the article as it was."""
    _require_editor(actor)
    if status is not None:
        _check_status(status)
    with transaction.atomic():
        if changes:
            article = edit_article(actor, article, **changes)
        if status is not None:
            article = set_status(actor, article, status)
    return article


def _check_status(status: str) -> None:
    if status not in ArticleStatus.values:
        raise Invalid(HelpError.BAD_STATUS, f"Unknown status {status!r}; use draft or published.",
                      fields={"status": "unknown"})


def set_status(actor: User | None, article: Article, status: str) -> Article:
    """Publish a draft or take a published article back to draft."""
    _require_editor(actor)
    _check_status(status)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status == status:
            return locked
        locked.status = status
        if status == ArticleStatus.PUBLISHED:
            locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        record_event(locked, actor, f"article.{'published' if status == ArticleStatus.PUBLISHED else 'unpublished'}")
    return locked


def set_comments_open(actor: User | None, article: Article, is_open: bool) -> Article:
    _require_editor(actor)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.comments_open != is_open:
            locked.comments_open = is_open
            locked.save(update_fields=["comments_open", "updated_at"])
            record_event(locked, actor, "comments.opened" if is_open else "comments.closed")
    return locked


def add_comment(actor: User, article: Article, *, body: str) -> Comment:
    """A signed-in reader comments on a published article that is open; at most 5 a minute each."""
    return post_comment(actor, article, body=body).record


def post_comment(actor: User, article: Article, *, body: str, idempotency_key: str | None = None) -> Written[Comment]:
    """`add_comment`, honouring the author's `idempotency_key` (an API Idempotency-Key, the comment form's
    submission): the same key with the same article and text answers the comment it posted (created False), also
    once comments were closed since, and counts nothing against the rate; the same key with anything else is 422
    `help.idempotency_key_reused`."""
    if not help_policy.can_view_article(actor, article):
        raise NotFound("article")
    check_key(idempotency_key, HelpError.BAD_IDEMPOTENCY_KEY)
    text = clean_comment(body)
    key = idempotency_key
    sent = request_digest("comment", article.pk, text)

    earlier = earlier_by_key(Comment.objects.filter(author=actor), key, sent,
                             HelpError.IDEMPOTENCY_KEY_REUSED, "comment")

    if key and (found := earlier()) is not None:  # a retry is answered, also once comments were closed since
        return Written(found, created=False)
    if article.status != ArticleStatus.PUBLISHED or not article.comments_open:
        raise Forbidden("Article is closed for comments.", code=HelpError.COMMENTS_CLOSED)
    if not text:
        raise Invalid(HelpError.COMMENT_REQUIRED, "Write a comment first.", fields={"body": "required"})
    if len(text) > MAX_COMMENT:
        raise Invalid(HelpError.COMMENT_TOO_LONG, f"Comments are limited to {MAX_COMMENT} characters "
                      f"(this one has {len(text)}).", fields={"body": f"at most {MAX_COMMENT} characters"})

    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=actor.pk).first()  # one writer per person: the count is exact
            # Again under the person's lock, which a racing first attempt held until it committed.
            if key and (found := earlier()) is not None:
                return Written(found, created=False)
            _check_rate(actor)
            comment = Comment.objects.create(article=article, author=actor, body=text, idempotency_key=key,
                                             idempotency_hash=sent if key else None)
            record_event(article, actor, "comment.added", comment_id=comment.pk)
    except IntegrityError:  # the key's unique index refused a second comment: the first one is the answer
        if key and (found := earlier()) is not None:
            return Written(found, created=False)
        raise
    return Written(comment, created=True)


def _check_rate(actor: User) -> None:
    now = timezone.now()
    recent = list(Comment.objects.filter(author=actor, created_at__gt=now - timedelta(minutes=1))
                  .order_by("created_at").values_list("created_at", flat=True)[:COMMENTS_PER_MINUTE])
    if len(recent) >= COMMENTS_PER_MINUTE:
        # The oldest of them leaves the minute's window after `wait` seconds (1..60): then a post is accepted.
        wait = max(1, math.ceil((recent[0] + timedelta(minutes=1) - now).total_seconds()))
        raise DomainError(HelpError.RATE_LIMITED, f"You can post at most {COMMENTS_PER_MINUTE} comments a minute. "
                          f"Try again in {wait} seconds.", fields={"body": "rate limited"}, status=429,
                          details={"retry_after": wait})


def set_comment_hidden(actor: User | None, comment: Comment, hidden: bool = True) -> Comment:
    if actor is not None and not help_policy.can_moderate(actor):
        if help_policy.can_view_article(actor, comment.article) and not comment.hidden:
            raise Forbidden("Only support staff moderate comments.", code=HelpError.MODERATE_FORBIDDEN)
        raise NotFound("comment")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden != hidden:
            locked.hidden = hidden
            locked.save(update_fields=["hidden"])
            record_event(locked.article, actor, "comment.hidden" if hidden else "comment.shown", comment_id=locked.pk)
    return locked


def add_attachment(actor: User | None, article: Article, *, upload: IO[bytes], filename: str,
                   content_type: str = "") -> ArticleAttachment:
    _require_editor(actor)
    size = 0
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        size += len(chunk)
        if size > MAX_ATTACHMENT_BYTES:
            raise Invalid(HelpError.ATTACHMENT_TOO_LARGE,
                          f"Attachments are limited to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
                          fields={"file": "too large"})
    if size == 0:
        raise Invalid(HelpError.ATTACHMENT_TYPE, "The file is empty.", fields={"file": "empty"})
    upload.seek(0)
    name = safe_filename(filename)
    content_type = (content_type or mimetypes.guess_type(name)[0] or "application/octet-stream")[:120]
    with stored_files.removed_on_failure(), transaction.atomic():  # no file left behind by a failed write
        attachment = ArticleAttachment(article=article, filename=name, content_type=content_type, size=size,
                                       uploaded_by=actor)
        stored_files.save(attachment.file, name, File(upload))
        attachment.save()
        record_event(article, actor, "attachment.added", attachment_id=attachment.pk, filename=name, size=size)
    return attachment


def _validated(article: Article | None, v: dict[str, Any]) -> dict[str, Any]:
    title = (v.get("title") or "").replace("\x00", "").strip()  # NUL: PostgreSQL text cannot hold it
    if not title:
        raise Invalid(HelpError.TITLE_REQUIRED, "An article needs a title.", fields={"title": "required"})
    if len(title) > MAX_TITLE:
        raise Invalid(HelpError.TITLE_REQUIRED, f"Titles are limited to {MAX_TITLE} characters.",
                      fields={"title": f"at most {MAX_TITLE} characters"})
    body = clean_article_html(v.get("body") or "")
    if not html_to_text(body):
        raise Invalid(HelpError.BODY_REQUIRED, "An article needs a body.", fields={"body": "required"})
    if len(body) > MAX_BODY:
        raise Invalid(HelpError.BODY_REQUIRED, f"Bodies are limited to {MAX_BODY} characters.",
                      fields={"body": f"at most {MAX_BODY} characters"})
    if not isinstance(v.get("section"), Section):
        raise Invalid(HelpError.UNKNOWN_SECTION, "Choose a section.", fields={"section": "required"})
    visibility = v.get("visibility") or Visibility.EVERYONE
    if visibility not in Visibility.values:
        raise Invalid(HelpError.BAD_VISIBILITY, f"Unknown visibility {visibility!r}; use one of "
                      f"{', '.join(Visibility.values)}.", fields={"visibility": "unknown"})
    client = v.get("client") if visibility == Visibility.CLIENT else None
    if visibility == Visibility.CLIENT and client is None:
        raise Invalid(HelpError.CLIENT_REQUIRED, "A private guide needs the client it is for.",
                      fields={"client": "required"})
    offering = (v.get("required_offering") or "").strip() if visibility == Visibility.ENTITLED else ""
    if offering:
        from supportdesk.catalogue.models import Offering

        if not Offering.objects.filter(code=offering).exists():
            raise Invalid(HelpError.UNKNOWN_OFFERING, f"No offering with code {offering!r}.",
                          fields={"required_offering": "unknown offering"})
    slug = (v.get("slug") or "").strip()
    if slug and slugify(slug) != slug:
        raise Invalid(HelpError.BAD_SLUG, "Slugs use lower-case letters, digits and hyphens only.",
                      fields={"slug": "invalid"})
    return {"section": v["section"], "title": title, "body": body, "slug": slug[:200], "visibility": visibility,
            "required_offering": offering, "client": client, "comments_open": bool(v.get("comments_open"))}


def _unique_slug(slug: str, *, explicit: bool, exclude: int | None = None) -> str:
    slug = slug or "article"
    qs = Article.objects.filter(slug__startswith=slug)
    taken = (qs.exclude(pk=exclude) if exclude is not None else qs).values_list("slug", flat=True)
    taken_set = set(taken)
    if slug not in taken_set:
        return slug
    if explicit:
        raise Conflict(HelpError.DUPLICATE_SLUG, f"Another article already uses the slug {slug!r}.",
                       fields={"slug": "already used"})
    n = 2
    while f"{slug}-{n}" in taken_set:
        n += 1
    return f"{slug}-{n}"


def _search_text(title: str, body: str) -> str:
    return f"{search.index_text(title)}\n{search.index_text(html_to_text(body))}"
