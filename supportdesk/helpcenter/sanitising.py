"""What HTML may reach a reader: article bodies keep a small allow-list of tags; comments are plain text.

Article bodies are cleaned when saved and again when shown, so a row written by any path (admin, a
migration, an old version) still renders inert. Plain text (no tags) becomes paragraphs and lists.
"""

from __future__ import annotations

import html
import re

import nh3

ARTICLE_TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre",
                "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr"}
ARTICLE_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
_TAG = re.compile(r"<[a-zA-Z/!]")


def clean_article_html(body: str) -> str:
    """Sanitised HTML for an article body; plain text is turned into paragraphs and bullet lists."""
    body = (body or "").strip()
    if not _TAG.search(body):
        body = plain_text_to_html(body)
    return nh3.clean(body, tags=ARTICLE_TAGS, attributes=ARTICLE_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def plain_text_to_html(text: str) -> str:
    out: list[str] = []
    items: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            items.append(f"<li>{html.escape(line[2:].strip())}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line and line != "-":
            out.append(f"<p>{html.escape(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "\n".join(out)


def html_to_text(body: str) -> str:
    """Plain words of an article body, for the search index and excerpts."""
    spaced = re.sub(r"<[^>]*>", " ", clean_article_html(body))  # cleaned HTML: every tag is well formed
    return re.sub(r"\s+", " ", html.unescape(spaced)).strip()


def clean_comment(body: str) -> str:
    """Comments are plain text: any markup is dropped (script and style with their content)."""
    stripped = nh3.clean(body or "", tags=set())
    return html.unescape(stripped).strip()
