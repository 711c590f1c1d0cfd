"""Mail bodies for display: quoted replies trimmed, HTML sanitised with nh3, HTML turned into text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Where the quoted earlier conversation starts in common mail programs.
# An attribution line ("On ... wrote:") may be wrapped once by the mail program (Gmail wraps at 78 characters,
# often right before "wrote:"). A wrapped one must show its time or an address on its first line ("at 9:00 AM",
# "<support@...>"): two lines of the client's own prose ("On Monday the export failed.\nThe log wrote:")
# must never be taken for one, or what follows would be cut as quoted history.
WRAPPED = r"(?:[^\n]{4,300}?|(?=[^\n]*(?:\d:\d\d|@))[^\n]{4,300}\n[^\n]{0,300}?)"
QUOTE_HEADERS = [
    re.compile(rf"^On {WRAPPED}\swrote:[ \t]*$", re.IGNORECASE | re.MULTILINE),
    re.compile(rf"^Le {WRAPPED}\sa\s+écrit\s*:[ \t]*$", re.IGNORECASE | re.MULTILINE),
    re.compile(rf"^Am {WRAPPED}\sschrieb\s(?:[^\n]{{0,200}}\n)?[^\n]{{1,200}}?:[ \t]*$", re.IGNORECASE | re.MULTILINE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE | re.MULTILINE),
    re.compile(r"^_{10,}\s*\n(?:From|De|Von):", re.IGNORECASE | re.MULTILINE),
    re.compile(r"^From: .+\n(?:Sent|Date): .+\n", re.IGNORECASE | re.MULTILINE),
]
HTML_QUOTE_MARKERS = [
    re.compile(r"<div[^>]*class=\"?[^\">]*gmail_quote", re.IGNORECASE),
    re.compile(r"<blockquote[^>]*type=\"?cite", re.IGNORECASE),
    re.compile(r"<div[^>]*id=\"?(?:appendonsend|divRplyFwdMsg)", re.IGNORECASE),
    re.compile(r"<hr[^>]*id=\"?stopSpelling", re.IGNORECASE),
    re.compile(r"-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),
]
ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
                "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
                "tfoot", "th", "thead", "tr", "u", "ul"}
BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "table"}


def trim_quoted_text(text: str) -> str:
    """Keep what the sender wrote: cut at the first quote header, drop trailing '>' lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cut = len(text)
    for pattern in QUOTE_HEADERS:
        match = pattern.search(text)
        if match and match.start() > 0:
            cut = min(cut, match.start())
    trimmed = text[:cut]
    lines = trimmed.rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    result = "\n".join(lines).strip()
    return result or text.strip()


def trim_quoted_html(html: str) -> str:
    cut = len(html)
    for pattern in HTML_QUOTE_MARKERS:
        match = pattern.search(html)
        if match and match.start() > 0:
            cut = min(cut, match.start())
    return html[:cut]


def sanitize_html(html: str) -> str:
    """Safe to show: no scripts, styles, forms, images (no tracking pixels) or remote resources."""
    return nh3.clean(html, tags=ALLOWED_TAGS, clean_content_tags={"script", "style", "head", "title"},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                     attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
                     strip_comments=True).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    if not html:
        return ""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient; fall back to stripping tags
        return re.sub(r"<[^>]+>", " ", html)
    text = "".join(extractor.chunks)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
