"""REST endpoints of the help center (mounted at /api/v1/help): thin; writes are actions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.errors import Invalid

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


@router.post("/articles", response={201: ArticleDetailOut}, summary="Write an article (staff)")
def create_article(request: HttpRequest, payload: ArticleIn):
    user = policy.signed_in(request)
    data = payload.dict()
    created = actions.create_article(user, section=_section(data.pop("section")),
                                     client=_client(data.pop("client_id")), **data)
    return Status(201, queries.article_for(user, created.slug))


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


@router.post("/articles/{slug}/comments", response={201: CommentOut}, summary="Comment (when open; 5 a minute)")
def add_comment(request: HttpRequest, slug: str, payload: CommentIn):
    user = policy.signed_in(request)
    return Status(201, actions.add_comment(user, queries.article_for(user, slug), body=payload.body))


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


