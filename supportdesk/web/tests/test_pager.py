"""The one pager (web/_pager.html): its links keep the query a list was asked with, changing only its page."""

from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory

from supportdesk.factories import StaffFactory, TicketFactory

from .test_pages import signed_in


def _link(query: str, template: str) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    return Template("{% load web_tags %}" + template).render(Context({"request": request}))


def test_a_page_link_keeps_every_filter_and_changes_only_the_page():
    link = _link("q=disk+full&kind=video&page=3&tag=a&tag=b", "{% page_url 4 %}")
    assert link == "?q=disk+full&amp;kind=video&amp;page=4&amp;tag=a&amp;tag=b"  # in place, repeats kept, escaped
    assert _link("", "{% page_url 2 %}") == "?page=2"


def test_a_named_page_parameter_leaves_the_other_lists_page_alone():
    assert _link("months=3&page=2", '{% page_url 5 "rows_page" %}') == "?months=3&amp;page=2&amp;rows_page=5"


def test_a_filtered_console_queue_keeps_its_queue_on_the_next_page(db):
    TicketFactory.create_batch(26, subject="Printer jammed")  # 25 a page: two pages of the standard queue
    http = signed_in(StaffFactory())
    first = http.get("/console/", {"queue": "standard"}).content.decode()
    assert "Page 1 of 2 · 26 in all" in first and 'href="?queue=standard&amp;page=2"' in first
    refreshed = http.get("/console/", {"queue": "standard", "page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="?queue=standard&amp;page=1"' in refreshed  # the 30 s refresh of page 2 keeps it too



def test_given_an_api_page_number_too_long_to_hold_then_422_names_the_page(db):
    # Given staff listing through the API; when they ask for a page number of ten digits (it fits in 64 bits,
    # but no list reaches it and an offset this far overflows SQLite)
    http = signed_in(StaffFactory())
    response = http.get("/api/v1/tickets", {"page": "10000000000"})
    # Then the refusal names the page and says what a page may be, not "numbers must fit in 64 bits"
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"page": "1 to 999999999"}
    assert "page" in response.json()["error"]["message"]
