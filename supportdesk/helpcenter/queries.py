"""Reads of the help center, always through the help center policy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from supportdesk.errors import Invalid, NotFound
from supportdesk.policy import helpcenter as help_policy

from . import search
from .errors import HelpError
from .models import Article, ArticleAttachment, Comment, Section


def articles(user: Any) -> QuerySet[Article]:
    """Articles this person may read, with the number of shown comments."""
    return (help_policy.visible_articles(user).select_related("section", "client")
            .annotate(comment_count=Count("comments", filter=Q(comments__hidden=False))))


def article_for(user: Any, slug: str) -> Article:
    """The article if this person may read it; otherwise 404 exactly as for a missing slug."""
    article = articles(user).filter(slug=slug).first()
    if article is None:
        raise NotFound("article")
    return article


def sections(user: Any) -> QuerySet[Section]:
    """Sections this person may list: editors all of them (they file articles into empty ones); everyone else
    only sections holding an article they may read, so an empty section or one holding only drafts or another
    client's guides does not show its name."""
    if help_policy.can_edit_articles(user):
        return Section.objects.all()
    return Section.objects.filter(pk__in=help_policy.visible_articles(user).values("section_id"))


def listed_section(user: Any, slug: str) -> Section:
    """The section a list filter names, among those `sections` lists for this person; any other slug is a 422
    naming `section`: a typo would otherwise answer an empty list. A section this person may not list is
    refused as if missing, so its name leaks nothing."""
    section = sections(user).filter(slug=slug).first()
    if section is None:
        raise Invalid(HelpError.UNKNOWN_SECTION, f"No section with slug {slug[:100]!r}; use one that GET "
                      "/api/v1/help/sections lists.", fields={"section": "unknown"})
    return section


def articles_by_section(user: Any) -> QuerySet[Article]:
    """Articles this person may read in reading order: by section, then title (what the index pages through)."""
    return articles(user).order_by("section__position", "section__name", "title", "pk")


def group_by_section(page: Iterable[Article]) -> list[tuple[Section, list[Article]]]:
    """Articles (already in section order) grouped under their sections; sections without any are left out."""
    groups: list[tuple[Section, list[Article]]] = []
    for article in page:
        if not groups or groups[-1][0].pk != article.section_id:
            groups.append((article.section, []))
        groups[-1][1].append(article)
    return groups


def search_articles(user: Any, q: str) -> list[Article]:
    """Full-text hits the person may read, best match first."""
    ids = search.matching_article_ids(q, among=help_policy.visible_articles(user))
    if not ids:
        return []
    found = {a.pk: a for a in articles(user).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def comments_for(user: Any, article: Article) -> QuerySet[Comment]:
    return help_policy.visible_comments(user, article)


def comment_for(user: Any, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or not help_policy.can_view_article(user, comment.article):
        raise NotFound("comment")
    if comment.hidden and not help_policy.can_moderate(user):
        raise NotFound("comment")
    return comment


def attachment_for(user: Any, slug: str, attachment_id: int) -> ArticleAttachment:
    article = article_for(user, slug)
    attachment = article.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("attachment")
    return attachment
