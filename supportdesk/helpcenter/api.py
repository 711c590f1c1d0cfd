"""REST endpoints of the help center (mounted at /api/v1/help): thin; writes are actions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Header, Query, Router, Status
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.errors import Invalid
from supportdesk.idempotency_keys import KEY_HEADER, retry_responses
from supportdesk.pagination import PageNumberPagination

from . import actions, queries
from .errors import HelpError
from .models import Section
from .schemas import (
    ArticleDetailOut,
    ArticleIn,
    ArticleOut,
    ArticlePatchIn,
    CommentIn,
    CommentOut,
    ModerateIn,
    SectionIn,
    SectionOut,
)

router = Router()
NOT_NULL = ("section", "title", "body", "slug", "visibility", "comments_open", "status")  # PATCH fields


@router.get("/sections", response=list[SectionOut], summary="Sections",
            description="Staff who write articles see every section; others the sections holding an article "
                        "they may read.")
@paginate(PageNumberPagination, page_size=25)
def list_sections(request: HttpRequest):
    return queries.sections(policy.signed_in(request))


@router.post("/sections", response={201: SectionOut}, summary="Add a section (staff)")
def create_section(request: HttpRequest, payload: SectionIn):
    return Status(201, actions.create_section(policy.signed_in(request), **payload.dict()))


@router.get("/articles", response=list[ArticleOut], summary="Articles you may read",
            description="With `q`: full-text search, best match first. `section` (a slug) narrows to one of the "
                        "sections `GET /sections` lists for you; any other slug is a 422 `help.unknown_section` "
                        "naming `section` (as the tickets list treats an unknown `queue`), not an empty list.")
@paginate(PageNumberPagination, page_size=25)
def list_articles(request: HttpRequest, q: str | None = Query(None, description="Words to search for"),
                  section: str | None = Query(None, description="A section's slug, as GET /sections lists it")):
    user = policy.signed_in(request)
    q = (q or "").strip()
    chosen = queries.listed_section(user, section) if section else None
    if q:  # blank words list everything, as on the page
        hits = queries.search_articles(user, q)
        return [a for a in hits if chosen is None or a.section_id == chosen.pk]
    qs = queries.articles(user).order_by("section__position", "title")
    return qs.filter(section=chosen) if chosen is not None else qs


@router.get("/articles/{slug}", response=ArticleDetailOut, summary="An article")
def get_article(request: HttpRequest, slug: str):
    return queries.article_for(policy.signed_in(request), slug)


# A client retrying a POST after a timeout must not post twice (SPEC §12: nothing accepted is lost or done twice).
_IDEMPOTENT = ("Honours an `Idempotency-Key` header (1 to 100 characters, per person; else 422 "
               "`help.bad_idempotency_key`): the same key with the same {what} returns the first {thing} (200{also}) "
               "and writes nothing; the same key with another {what} is refused (422 `help.idempotency_key_reused` "
               "on `Idempotency-Key`) and writes nothing. Without the header every call writes a new {thing}.")


def _recorded(thing: str) -> dict:
    return retry_responses(f"The {thing}, written now", f"the {thing} it wrote; nothing written")


@router.post("/articles", response={201: ArticleDetailOut, 200: ArticleDetailOut}, summary="Write an article (staff)",
             description="A draft unless `publish`; without `slug` the address is made from the title (and numbered "
                         "when taken), a `slug` already taken is 409 `help.duplicate_slug`. " + _IDEMPOTENT.format(
                             what="body (section, title, text, slug, visibility, offering, client, comments, publish)",
                             thing="article", also=", also after it was edited since"),
             openapi_extra=_recorded("article"))
def create_article(request: HttpRequest, payload: ArticleIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    user = policy.signed_in(request)
    data = payload.dict()
    written = actions.write_article(user, section=_section(data.pop("section")), client=_client(data.pop("client_id")),
                                    idempotency_key=idempotency_key, **data)
    return Status(201 if written.created else 200, queries.article_for(user, written.record.slug))


@router.patch("/articles/{slug}", response=ArticleDetailOut, summary="Edit, publish, open or close comments (staff)",
              description="Leave a field out to keep it. `status` is draft or published: anything else is 422 "
                          "`help.bad_status`, checked first, so a refused PATCH changes nothing.")
def patch_article(request: HttpRequest, slug: str, payload: ArticlePatchIn):
    user = policy.signed_in(request)
    article = queries.article_for(user, slug)
    data = payload.dict(exclude_unset=True)
    nulls = sorted(name for name in NOT_NULL if name in data and data[name] is None)
    if nulls:  # null is not "leave as is": comments_open null used to close comments, section null said "None"
        raise Invalid("invalid_request", f"{', '.join(nulls)} cannot be null; leave a field out to keep it.",
                      fields=dict.fromkeys(nulls, "cannot be null"))
    if "section" in data:
        data["section"] = _section(data["section"])
    if "client_id" in data:
        data["client"] = _client(data.pop("client_id"))
    article = actions.update_article(user, article, **data)
    return queries.article_for(user, article.slug)


@router.get("/articles/{slug}/comments", response=list[CommentOut], summary="Comments on an article")
@paginate(PageNumberPagination, page_size=50)
def list_comments(request: HttpRequest, slug: str):
    user = policy.signed_in(request)
    return queries.comments_for(user, queries.article_for(user, slug))


@router.post("/articles/{slug}/comments", response={201: CommentOut, 200: CommentOut},
             summary="Comment (when open; 5 a minute)",
             description="A closed or unpublished article is 403 `help.comments_closed`; a sixth comment within a "
                         "minute is 429 `help.rate_limited` with `Retry-After`. " + _IDEMPOTENT.format(
                             what="article and text", thing="comment",
                             also=", also once comments were closed since, and not counted against the rate"),
             openapi_extra=_recorded("comment"))
def add_comment(request: HttpRequest, slug: str, payload: CommentIn,
                idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    user = policy.signed_in(request)
    written = actions.post_comment(user, queries.article_for(user, slug), body=payload.body,
                                   idempotency_key=idempotency_key)
    return Status(201 if written.created else 200, written.record)


@router.post("/comments/{comment_id}/moderate", response=CommentOut, summary="Hide or show a comment (staff)")
def moderate_comment(request: HttpRequest, comment_id: int, payload: ModerateIn):
    user = policy.signed_in(request)
    return actions.set_comment_hidden(user, queries.comment_for(user, comment_id), hidden=payload.hidden)


def _section(slug: str) -> Section:
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        raise Invalid(HelpError.UNKNOWN_SECTION, f"No section with slug {slug!r}.", fields={"section": "unknown"})
    return section


def _client(client_id: int | None) -> Client | None:
    if client_id is None:
        return None
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Invalid(HelpError.CLIENT_REQUIRED, f"No client with id {client_id}.", fields={"client_id": "unknown"})
    return client


