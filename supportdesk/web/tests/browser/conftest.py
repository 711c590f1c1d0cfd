"""Browser test harness: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never run `playwright install`: the tests use /usr/bin/chromium (`apt-get install -y chromium`) and skip
with a clear reason when it is missing. Each test gets a fresh browser context (no shared cookies or
storage); Chromium is launched per test with a fresh temporary profile.

Fixtures: `browser`, `site` (the live server's URL), `page` (desktop), `phone_page` (390x844),
`new_page(width, height)` for a second person, `login(page, user)`, and `journey` (screenshots:
`journey.shot(page, "step")` writes test-artifacts/browser/<journey>/<NN-step>.png).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from test code
# unless told the thread is fine (it is: the live server answers requests in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SUPPORTDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO_ROOT = Path(__file__).resolve().parents[4]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture
def site(live_server, django_db_serialized_rollback) -> str:  # noqa: ANN001
    """The live server's base URL. Serialized rollback restores the seeded catalogue and help center after
    the flush that ends each live-server test, so later tests still see them."""
    return live_server.url


@pytest.fixture
def browser(site) -> Iterator[Any]:  # noqa: ANN001
    """Chromium for one test, started after the live server and its database are ready.

    Per test on purpose: while Playwright's sync API is started an event loop runs in this thread, and
    Django keeps database connections per context; starting it after the database set-up (which
    restores the serialized seed data) keeps the seed restore, the test's own queries and the final
    flush on the same connection."""
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package (pip install playwright; no browser download)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # Connections opened while Playwright's loop ran belong to that context: close them here, or
            # PostgreSQL cannot drop the test database at the end ("being accessed by other users").
            # (SQLite's in-memory test database ignores close(), so the data stays for the flush.)
            from django.db import connections

            connections.close_all()


@pytest.fixture
def new_page(browser, site) -> Iterator[Callable[..., Any]]:  # noqa: ANN001
    """Open a page in a fresh, isolated context (its own cookies): one per person in a journey."""
    contexts = []

    def open_page(width: int = DESKTOP["width"], height: int = DESKTOP["height"]) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=site,
                                      locale="en-CA", timezone_id="America/Toronto")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Any:  # noqa: ANN001
    return new_page()


@pytest.fixture
def phone_page(new_page) -> Any:  # noqa: ANN001
    return new_page(**PHONE)


@pytest.fixture
def login() -> Callable[[Any, Any], Any]:
    """Sign `user` in on `page` through the real sign-in form; returns the page on the landing screen."""
    from supportdesk.factories import PASSWORD

    def sign_in(page: Any, user: Any, password: str = PASSWORD) -> Any:
        page.goto("/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")
        assert "/login/" not in page.url, f"sign-in failed for {user.email}"
        return page

    return sign_in


class Journey:
    """Numbered screenshots of one journey's steps under test-artifacts/browser/<name>/."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def shot(self, page: Any, step: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def journey(request) -> Journey:  # noqa: ANN001
    name = request.node.name.removeprefix("test_")
    return Journey(re.sub(r"[^a-z0-9_]+", "-", name.lower()))
