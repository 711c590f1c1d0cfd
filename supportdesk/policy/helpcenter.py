"""Help center: who reads which article, who writes and who moderates.

Published articles are read by: everyone ("everyone"), any signed-in person ("signed_in"), staff and
the people of a client whose entitlements today include any plan or the article's `required_offering`
("entitled"), staff and the people of one client ("client"). Drafts are read by staff only. Anything
else answers 404 exactly like a missing slug.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from supportdesk.helpcenter.models import Article, ArticleStatus, Comment, Visibility

from .roles import STAFF_WORKERS, has_role, is_client_person, is_staff_member


def visible_articles(user: Any, qs: QuerySet[Article] | None = None) -> QuerySet[Article]:
    qs = Article.objects.all() if qs is None else qs
    if is_staff_member(user):
        return qs
    qs = qs.filter(status=ArticleStatus.PUBLISHED)
    allowed = Q(visibility=Visibility.EVERYONE)
    if getattr(user, "is_authenticated", False):
        allowed |= Q(visibility=Visibility.SIGNED_IN)
    if is_client_person(user):
        allowed |= Q(visibility=Visibility.CLIENT, client_id=user.client_id)
        allowed |= _entitled_filter(user)
    return qs.filter(allowed)


def _entitled_filter(user: Any) -> Q:
    from supportdesk.contracts.entitlements import entitlements_for

    ents = entitlements_for(user.client, timezone.now())
    entitled = Q(visibility=Visibility.ENTITLED, required_offering__in=sorted(ents.offering_codes))
    if ents.has_any_plan:
        entitled |= Q(visibility=Visibility.ENTITLED, required_offering="")
    return entitled


def can_view_article(user: Any, article: Article) -> bool:
    return visible_articles(user, Article.objects.filter(pk=article.pk)).exists()


def can_edit_articles(user: Any) -> bool:
    """Support staff (agents, TAMs, managers, sysadmins) write and publish guides."""
    return has_role(user, *STAFF_WORKERS)


def can_moderate(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def can_comment(user: Any, article: Article) -> bool:
    return (getattr(user, "is_authenticated", False) and article.status == ArticleStatus.PUBLISHED
            and article.comments_open and can_view_article(user, article))


def comment_author_name(viewer: Any, comment: Comment) -> str:
    """Who wrote a comment, as this viewer may see it: moderators see the name or, without one, the email;
    everyone else (anonymous readers of a public article included) sees the name only, never an address."""
    author = comment.author
    if can_moderate(viewer):
        return str(author.display_name)
    # The vendor's side by the row itself (no client): a role query per unnamed comment would be N+1.
    return author.full_name or ("Support team" if author.is_vendor_staff else "A reader")


def visible_comments(user: Any, article: Article) -> QuerySet[Comment]:
    """Moderators also see hidden comments (marked); everyone else only the shown ones."""
    qs = article.comments.select_related("author")
    return qs if can_moderate(user) else qs.filter(hidden=False)
