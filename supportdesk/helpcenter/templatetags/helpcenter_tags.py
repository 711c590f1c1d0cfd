"""Rendering of article bodies: always through the sanitiser, whatever wrote the row."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from supportdesk.helpcenter.sanitising import clean_article_html, html_to_text
from supportdesk.policy import helpcenter as help_policy

register = template.Library()


@register.filter
def article_html(body: str) -> SafeString:
    return mark_safe(clean_article_html(body))  # noqa: S308 - the allow-list sanitiser produced it


@register.filter
def article_excerpt(body: str, words: int = 28) -> str:
    parts = html_to_text(body).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


@register.simple_tag(takes_context=True)
def comment_author(context: template.Context, comment: object) -> str:
    """The comment's author as the signed-in viewer may see it (never another reader's email address)."""
    request = context.get("request")
    return help_policy.comment_author_name(getattr(request, "user", None), comment)  # type: ignore[arg-type]
