from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from supportdesk.web.forms import MAX_INTEGER

from .sanitising import clean_article_html


class SectionOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    position: int


class SectionIn(Schema):
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=500)
    position: int = Field(0, ge=0, le=MAX_INTEGER, description="Order among the sections, 0 first")


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    section: str
    status: str
    visibility: str
    required_offering: str
    client_id: int | None
    comments_open: bool
    comment_count: int
    published_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_section(obj) -> str:  # noqa: ANN001
        return obj.section.slug

    @staticmethod
    def resolve_comment_count(obj) -> int:  # noqa: ANN001
        return getattr(obj, "comment_count", 0)


class ArticleDetailOut(ArticleOut):
    body_html: str
    attachments: list[dict]

    @staticmethod
    def resolve_body_html(obj) -> str:  # noqa: ANN001
        return clean_article_html(obj.body)

    @staticmethod
    def resolve_attachments(obj) -> list[dict]:  # noqa: ANN001
        return [{"id": a.pk, "filename": a.filename, "size": a.size,
                 "url": f"/help/articles/{obj.slug}/attachments/{a.pk}/"} for a in obj.attachments.all()]


class ArticleIn(Schema):
    section: str = Field(..., description="Section slug")
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=200_000, description="Plain text or HTML (sanitised to an allow-list)")
    slug: str = Field("", max_length=200)
    visibility: str = Field("everyone", description="everyone, signed_in, entitled or client")
    required_offering: str = Field("", description="With entitled: offering code required (empty: any plan)")
    client_id: int | None = Field(None, description="With client: the only client who sees it")
    comments_open: bool = True
    publish: bool = False


class ArticlePatchIn(Schema):
    section: str | None = None
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=200_000)
    slug: str | None = Field(None, max_length=200)
    visibility: str | None = None
    required_offering: str | None = None
    client_id: int | None = None
    comments_open: bool | None = None
    status: str | None = Field(None, description="draft or published")


class CommentIn(Schema):
    body: str = Field(..., max_length=5000)


class CommentOut(Schema):
    id: int
    author: str
    body: str
    hidden: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj, context) -> str:  # noqa: ANN001
        """Moderators see the name or email; other readers the name only (policy.comment_author_name)."""
        from supportdesk.policy import helpcenter as help_policy

        request = (context or {}).get("request")
        return help_policy.comment_author_name(getattr(request, "user", None), obj)


class ModerateIn(Schema):
    hidden: bool = True
