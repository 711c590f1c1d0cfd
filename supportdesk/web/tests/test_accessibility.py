"""Accessibility of the server-rendered pages (WCAG 2.1 AA), checked mechanically on what each demo role sees.

Each demo account opens the pages reachable from its home page (one page per URL pattern, bounded) and every page
must hold the rules of docs/accessibility.md: `<html lang>`, a title that names the page, one `<h1>` and no skipped
heading level, the landmarks and the skip link, a programmatic label on every control, references
(`for`, `aria-describedby`, `aria-labelledby`) that point at something, unique ids, table headers with a scope,
text alternatives on images and charts, no ticking countdown inside a live region, named progress bars, and no
link or button named only "here", "download", "PDF"...  The stylesheet's text colours are checked for 4.5:1.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from supportdesk.accounts.models import User
from supportdesk.demo_data import DEMO_ACCOUNTS, load_demo

MAX_PAGES = 45  # per role: every URL pattern once, so every template a role reaches, in a few seconds
SKIPPED_PREFIXES = ("/logout/", "/api/", "/static/", "/admin/", "/chat/ws")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Names that say nothing about where a link goes or what a button does once read out of context (a list of links).
VAGUE_NAMES = {"here", "click here", "link", "more", "download", "listen", "pdf", "csv", "edit", "remove", "view",
               "open", "details", "read more"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
CSS = Path(__file__).resolve().parents[2] / "static" / "supportdesk" / "app.css"


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def ancestors(self) -> list[_Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def text(self) -> str:
        """The text a screen reader would read for the element (aria-hidden parts left out)."""
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.attrs.get("aria-hidden") != "true":
                parts.append(child.attrs.get("aria-label") or child.attrs.get("alt") or child.text())
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def walk(self) -> list[_Node]:
        nodes: list[_Node] = []
        for child in self.children:
            if isinstance(child, _Node):
                nodes.append(child)
                nodes.extend(child.walk())
        return nodes


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(_Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # a stray end tag is ignored, like a browser does
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> _Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def _name(node: _Node) -> str:
    return (node.attrs.get("aria-label") or node.text() or node.attrs.get("title", "")).strip()


def problems_in(html: str) -> list[str]:  # noqa: C901, PLR0912 -- one list of rules, read top to bottom
    """Every rule the page breaks, as readable sentences (empty when it holds them all)."""
    root = parse(html)
    nodes = root.walk()
    by_tag: dict[str, list[_Node]] = {}
    for node in nodes:
        by_tag.setdefault(node.tag, []).append(node)
    ids = Counter(n.attrs["id"] for n in nodes if n.attrs.get("id"))
    found = []

    html_el = by_tag.get("html", [])
    if not html_el or not html_el[0].attrs.get("lang"):
        found.append("<html> has no lang")
    titles = [t.text() for t in by_tag.get("title", [])]
    if not titles or titles[0] in ("", "supportdesk"):
        found.append(f"the title does not say where you are: {titles}")
    if len(by_tag.get("h1", [])) != 1:
        found.append(f"{len(by_tag.get('h1', []))} <h1> (want one)")
    level = 0
    for node in nodes:
        if re.fullmatch(r"h[1-6]", node.tag) and not any(a.tag == "dialog" for a in node.ancestors()):
            new = int(node.tag[1])
            if new > level + 1:
                found.append(f"heading level skipped: <{node.tag}> {node.text()!r} after <h{level}>")
            level = new
    for landmark in ("header", "nav", "main", "footer"):
        if landmark not in by_tag:
            found.append(f"no <{landmark}> landmark")
    if len(by_tag.get("main", [])) > 1:
        found.append("more than one <main>")
    body = by_tag.get("body", [])
    first = next((n for n in body[0].walk() if n.tag in ("a", "button", "input", "select", "textarea")), None) \
        if body else None
    if first is None or first.attrs.get("href") != "#main" or not ids.get("main"):
        found.append("no skip link to #main first in the page")

    for dup, count in ids.items():
        if count > 1:
            found.append(f'id "{dup}" used {count} times')
    for node in nodes:
        for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in node.attrs.get(attr, "").split():
                if ref not in ids:
                    found.append(f"<{node.tag}> {attr} points at missing id {ref!r}")
    labels_for = {lab.attrs["for"] for lab in by_tag.get("label", []) if lab.attrs.get("for")}
    for ref in labels_for:
        if ref not in ids:
            found.append(f"<label for={ref!r}> labels nothing")

    for control in by_tag.get("input", []) + by_tag.get("select", []) + by_tag.get("textarea", []):
        if control.tag == "input" and control.attrs.get("type", "text") in UNLABELLED_TYPES:
            continue
        labelled = (
            control.attrs.get("id") in labels_for
            or any(a.tag == "label" for a in control.ancestors())
            or control.attrs.get("aria-label", "").strip()
            or control.attrs.get("aria-labelledby", "").strip()
        )
        if not labelled:
            found.append(f"<{control.tag} name={control.attrs.get('name')!r}> has no label")
        if control.attrs.get("aria-invalid") == "true" and not control.attrs.get("aria-describedby"):
            found.append(f"<{control.tag} name={control.attrs.get('name')!r}> is invalid but its error is not tied")
    for button in by_tag.get("button", []):
        name = _name(button)
        if not name:
            found.append("a <button> has no name")
        elif name.lower().strip(" .…→←") in VAGUE_NAMES:
            found.append(f"a <button> is only named {name!r}")
    for link in by_tag.get("a", []):
        name = _name(link)
        if not name:
            found.append(f"<a href={link.attrs.get('href')!r}> has no name")
        elif name.lower().strip(" .…→←") in VAGUE_NAMES:
            found.append(f"<a href={link.attrs.get('href')!r}> is only named {name!r}")

    for img in by_tag.get("img", []):
        if "alt" not in img.attrs:
            found.append(f"<img src={img.attrs.get('src')!r}> has no alt")
    for svg in by_tag.get("svg", []):
        if svg.attrs.get("aria-hidden") != "true" and not (
            svg.attrs.get("aria-label") or svg.attrs.get("aria-labelledby")
            or any(isinstance(c, _Node) and c.tag == "title" for c in svg.children)
        ):
            found.append("an <svg> has no text alternative")
    for table in by_tag.get("table", []):
        headers = [n for n in table.walk() if n.tag == "th"]
        if not headers:
            found.append("a <table> has no <th>")
        for th in headers:
            if th.attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                found.append(f"<th> {th.text()!r} has no scope")

    for node in nodes:
        if node.attrs.get("aria-live") in ("polite", "assertive") or node.attrs.get("role") in ("status", "alert"):
            inside = node.walk()
            if any("countdown" in n.attrs.get("class", "") and "data-due" in n.attrs and n.attrs.get("role") != "timer"
                   for n in inside):
                found.append(f"a live region (<{node.tag} id={node.attrs.get('id')!r}>) holds ticking countdowns")
            if node.attrs.get("hx-swap", "").startswith("outerHTML"):
                found.append(f"the live region <{node.tag} id={node.attrs.get('id')!r}> replaces itself")
        if "countdown" in node.attrs.get("class", "").split() and "data-due" in node.attrs:
            if node.attrs.get("role") != "timer":
                found.append("a ticking countdown is not role=timer (its every second would be read out)")
            if not any(isinstance(c, _Node) and "countdown-state" in c.attrs.get("class", "") for c in node.children):
                found.append("a countdown says its state by colour only (no countdown-state text)")
    for bar in by_tag.get("progress", []) + [n for n in nodes if n.attrs.get("role") == "progressbar"]:
        if not (bar.attrs.get("aria-label") or bar.attrs.get("aria-labelledby")
                or bar.attrs.get("id") in labels_for or any(a.tag == "label" and a.text() for a in bar.ancestors())):
            found.append("a progress bar has no name")
        if bar.tag != "progress" and not all(k in bar.attrs for k in ("aria-valuenow", "aria-valuemin", "aria-valuemax")):
            found.append("a role=progressbar lacks aria-valuenow/min/max")
    return found


def _pattern(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route or match.url_name or path


def _links(page: str, root: _Node) -> list[str]:
    links = []
    for node in root.walk():
        if node.tag == "a" and node.attrs.get("href"):
            url, _ = urldefrag(urljoin(f"http://testserver{page}", node.attrs["href"]))
            parts = urlsplit(url)
            if parts.netloc == "testserver" and parts.path and not parts.path.startswith(SKIPPED_PREFIXES):
                links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def audit(client: Client, start: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Opens one page per URL pattern reachable from `start`; returns the pages and each one's problems."""
    queue, seen, patterns, opened, found = deque(start), set(start), set(), [], {}
    while queue and len(opened) < MAX_PAGES:
        path = queue.popleft()
        pattern = _pattern(path)
        if pattern is None or pattern in patterns:
            continue
        patterns.add(pattern)
        response = client.get(path, follow=True)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html") \
                or response.streaming:
            continue
        html = response.content.decode()
        opened.append(path)
        if problems := problems_in(html):
            found[path] = problems
        for target in _links(path, parse(html)):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return opened, found


@pytest.fixture
def demo(db):  # noqa: ANN001, ANN201
    load_demo()


@pytest.mark.parametrize("role,email", DEMO_ACCOUNTS, ids=[role for role, _ in DEMO_ACCOUNTS])
def test_given_a_demo_account_when_it_opens_its_pages_then_each_holds_the_accessibility_rules(demo, role, email):
    client = Client()
    client.force_login(User.objects.get(email=email))

    opened, found = audit(client, ["/"])

    assert len(opened) > 3, f"{role}: only {opened} opened"
    assert found == {}, f"{role}: {found}"


def test_given_nobody_signed_in_when_opening_the_public_pages_then_they_hold_the_rules(demo):
    opened, found = audit(Client(), ["/login/", "/help/", "/nowhere/"])

    assert "/login/" in opened and "/help/" in opened
    assert found == {}


def _signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _invalid_controls(html: str) -> list[_Node]:
    return [n for n in parse(html).walk() if n.attrs.get("aria-invalid") == "true"]


@pytest.mark.parametrize("email,path,data", [
    ("chris@hartleymoss.example", "/portal/tickets/new/", {"subject": "", "severity": "2", "body": ""}),
    ("agent@demo.supportdesk.local", "/console/macros/", {"title": "", "body": ""}),
    ("agent@demo.supportdesk.local", "/console/tickets/{ticket}/", {"msg-body": "", "msg-kind": "public"}),
], ids=["portal new ticket", "saved reply (the shared form include)", "console composer"])
def test_given_a_form_sent_with_errors_then_each_error_is_tied_to_its_field_and_announced(demo, email, path, data):
    from supportdesk.tickets.models import Ticket

    # the demo's first ticket (PostgreSQL sequences do not restart with each test, so not a fixed id)
    path = path.format(ticket=Ticket.objects.order_by("pk").values_list("pk", flat=True).first())
    html = _signed_in(email).post(path, data).content.decode()

    invalid = _invalid_controls(html)
    assert invalid, "the refused form marks no field invalid"
    assert problems_in(html) == []
    root = parse(html)
    by_id = {n.attrs["id"]: n for n in root.walk() if n.attrs.get("id")}
    for control in invalid:
        error = by_id[f"{control.attrs['id']}_error"]
        assert f"{control.attrs['id']}_error" in control.attrs["aria-describedby"].split()
        assert error.text() and any(n.attrs.get("role") == "alert" for n in error.walk())


def test_given_an_invoice_run_under_way_then_its_progress_is_named_and_read_from_a_region_that_stays(demo):
    from datetime import date

    from supportdesk.billing.models import InvoiceRun

    run = InvoiceRun.objects.create(month=date(2026, 1, 1), state=InvoiceRun.State.RUNNING, total=8, done=3)

    html = _signed_in("billing@demo.supportdesk.local").get(f"/billing/runs/{run.pk}/").content.decode()

    assert problems_in(html) == []
    section = next(n for n in parse(html).walk() if n.attrs.get("id") == "invoice-run")
    assert section.attrs["hx-swap"] == "outerHTML"
    # The polled section is not read whole every 2 s: its state goes to the page's status line when it changes
    assert not any(n.attrs.get("aria-live") for n in section.ancestors() + [section])
    assert section.attrs["data-announce"] == "Invoice run running."
    assert _announcer(html).attrs.get("role") == "status"


def test_given_a_calendar_recompute_under_way_then_its_progress_is_named_and_read_politely(demo):
    from django.utils import timezone

    from supportdesk.sla.models import RecomputeJob

    job = RecomputeJob.objects.create(calendar="24x7", calendar_version=2, state="running", total=10, done=4,
                                      created_at=timezone.now())

    html = _signed_in("manager@demo.supportdesk.local").get(f"/sla/jobs/{job.pk}/").content.decode()

    assert problems_in(html) == []
    bar = next(n for n in parse(html).walk() if n.tag == "progress")
    label, section = bar.ancestors()[0], bar.ancestors()[1]
    assert label.tag == "label" and label.text().startswith("Recompute progress")
    assert section.attrs["data-announce"] == "Recompute running."
    assert not any(n.attrs.get("aria-live") for n in bar.ancestors())
    assert _announcer(html).attrs.get("role") == "status"


def _announcer(html: str):  # noqa: ANN202
    return next(n for n in parse(html).walk() if n.attrs.get("id") == "announcer")


def test_given_the_queue_refreshes_then_a_polite_status_says_so_and_the_countdowns_are_timers(demo):
    agent = _signed_in("agent@demo.supportdesk.local")
    page = parse(agent.get("/console/").content.decode())

    rows = agent.get("/console/", HTTP_HX_REQUEST="true").content.decode()

    status = next(n for n in page.walk() if n.attrs.get("id") == "queue-status")
    assert status.attrs.get("role") == "status"
    assert not any(n.attrs.get("aria-live") for n in page.walk() if n.attrs.get("id") == "queue-rows")
    # The refresh says the count through the status line only when it changed (app.js; the browser test checks it)
    said = next(n for n in parse(rows).walk() if n.attrs.get("data-announce-to") == "queue-status")
    assert said.attrs["data-announce"].endswith("open tickets in this queue.") and status.text() == ""
    timers = [n for n in parse(rows).walk() if "countdown" in n.attrs.get("class", "").split() and "data-due" in n.attrs]
    assert timers and all(t.attrs.get("role") == "timer" for t in timers)


# ---- colours: WCAG 2.1 AA wants 4.5:1 for text ----------------------------------------------------------------

def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _css() -> tuple[str, dict[str, str]]:
    css = CSS.read_text()
    tokens = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css.split("}", 1)[0]))
    return css, tokens


def _solid(value: str, tokens: dict[str, str]) -> str | None:
    value = value.strip().removesuffix("!important").strip()
    if match := re.fullmatch(r"var\(--([\w-]+)\)", value):
        return tokens.get(match.group(1))
    return value if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value) else None


def test_given_the_stylesheet_then_every_rule_that_sets_text_on_a_background_reaches_4_5_to_1():
    css, tokens = _css()
    failing = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        background = re.search(r"(?<![-\w])background(?:-color)?:\s*([^;]+)", body)
        colour = re.search(r"(?<![-\w])color:\s*([^;]+)", body)
        if background and colour:
            bg, fg = _solid(background.group(1), tokens), _solid(colour.group(1), tokens)
            if bg and fg and contrast(fg, bg) < 4.5:
                failing.append(f"{selector.strip()}: {fg} on {bg} = {contrast(fg, bg):.2f}")
    assert failing == []


@pytest.mark.parametrize("text,surface", [
    ("muted", "bg"), ("muted", "card"), ("muted", "note"), ("muted", "accent-soft"), ("muted", "bad-soft"),
    ("accent", "card"), ("accent", "bg"), ("accent", "accent-soft"), ("fg", "note"),
    ("ok", "ok-soft"), ("warn", "warn-soft"), ("bad", "bad-soft"), ("bad", "card"),
    ("#c5d0e6", "topbar"), ("#9fb0cf", "topbar"), ("#9cc0ff", "topbar"),  # navigation, client name, sign out
    ("muted", "#f8f9fc"), ("muted", "#eceff3"), ("#d3def8", "accent"),  # table heads, paused clocks, hero text
])
def test_given_text_on_the_surfaces_it_inherits_then_it_reaches_4_5_to_1(text, surface):
    _, tokens = _css()
    fg, bg = tokens.get(text, text), tokens.get(surface, surface)

    assert contrast(fg, bg) >= 4.5, f"{text} on {surface}: {contrast(fg, bg):.2f}"


def test_given_the_stylesheet_then_focus_is_a_visible_outline_and_no_text_is_faded():
    css, tokens = _css()

    focus = re.search(r"(?m)^:focus-visible\s*\{([^}]*)\}", css)
    assert focus and re.search(r"outline:\s*2px solid var\(--accent-strong\)", focus.group(1))
    assert contrast(tokens["accent-strong"], tokens["bg"]) >= 3 and contrast(tokens["accent-strong"], "#fff") >= 3
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"outline:\s*(none|0)\b", body) and not re.search(r"main:focus", selector):
            assert re.search(r"outline:\s*\d", body) or "box-shadow" in body, selector
        # opacity on an element with text fades the text under 4.5:1; icons and kbd hints may fade
        if re.search(r"(?<![-\w])opacity:\s*\.[0-7]", body) and "::before" not in selector \
                and not re.fullmatch(r"\s*\d+%\s*", selector):  # a keyframe of the pulsing overdue dot
            assert "kbd" in selector, f"{selector.strip()} fades its text"
