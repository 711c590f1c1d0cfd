"""Every link a person is shown leads somewhere: signed in as each demo account, follow the links of every page
reachable from the home page (GET only) and expect each to answer, never a server error, a broken link or a link
to a page the same person may not open.

Bounded so it stays quick: each URL pattern is visited at most `PER_PATTERN` times (the ticket pages of one demo
ticket stand for all of them) and a role at most `MAX_PAGES` pages.
"""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from supportdesk.accounts.models import User
from supportdesk.demo_data import DEMO_ACCOUNTS, load_demo

PER_PATTERN = 2
MAX_PAGES = 250
# Not followed: signing out ends the crawl's session; the API and the admin have their own tests (the API's
# OpenAPI schemathesis run and the authorization matrix); static files are served by whitenoise.
SKIPPED_PREFIXES = ("/logout/", "/api/", "/static/", "/admin/")
ANSWERS = {200, 301, 302, 303, 304}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _internal_links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(f"http://testserver{page_url}", href))
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == "testserver" and parts.path:
            links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def _pattern(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route or match.url_name or path


def crawl(client: Client, start: list[str]) -> tuple[int, list[str]]:
    """Visits pages breadth-first from `start`; returns how many it opened and what went wrong."""
    queue, seen, per_pattern, problems, opened = deque(start), set(start), Counter[str](), [], 0
    while queue and opened < MAX_PAGES:
        path = queue.popleft()
        pattern = _pattern(path)
        if pattern is None:
            problems.append(f"{path}: no such page (a broken link)")
            continue
        per_pattern[pattern] += 1
        if per_pattern[pattern] > PER_PATTERN:
            continue
        response = client.get(path)
        opened += 1
        if response.status_code not in ANSWERS:
            problems.append(f"{path}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            targets = [response["Location"]]
        elif response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            targets = _internal_links(path, response.content.decode())
        else:
            targets = []
        for target in targets:
            if target not in seen and not target.startswith(SKIPPED_PREFIXES):
                seen.add(target)
                queue.append(target)
    return opened, problems


@pytest.mark.parametrize("role,email", DEMO_ACCOUNTS, ids=[role for role, _ in DEMO_ACCOUNTS])
def test_given_a_demo_account_when_following_every_link_then_every_page_answers(db, role, email):
    load_demo()
    client = Client()
    client.force_login(User.objects.get(email=email))

    opened, problems = crawl(client, ["/"])

    assert opened > 3, f"{role}: only {opened} pages reached from the home page"
    assert problems == [], f"{role}: {problems}"
