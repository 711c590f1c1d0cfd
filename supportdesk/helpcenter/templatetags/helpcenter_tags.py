"""Rendering of article bodies: always through the sanitiser, whatever wrote the row."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from supportdesk.helpcenter.sanitising import clean_article_html, html_to_text

register = template.Library()


@register.filter
def article_html(body: str) -> SafeString:
    return mark_safe(clean_article_html(body))  # noqa: S308 - the allow-list sanitiser produced it


@register.filter
def article_excerpt(body: str, words: int = 28) -> str:
    parts = html_to_text(body).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
