"""The article list's `section` filter: a slug the person cannot list is a 422 naming `section` (as the tickets
list treats an unknown `queue`), never an empty list; a section they can list narrows the list to it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from .factories import ArticleFactory, SectionFactory

URL = "/api/v1/help/articles"


def _as(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.mark.parametrize("who", ["agent", "premium_user"])
@pytest.mark.parametrize("words", ["", "guide"])
def test_given_a_section_slug_that_does_not_exist_when_articles_are_listed_then_422_names_section(
        people, articles, who, words):
    # Given articles in a section "guides-0…" and no section "no-such-section"
    http = _as(people[who])
    # When the list (or a search) is asked for that section
    response = http.get(URL, {"section": "no-such-section", "q": words})
    # Then the refusal names the parameter, in the API's error shape
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "help.unknown_section" and error["fields"] == {"section": "unknown"}
    assert "no-such-section" in error["message"]


def test_given_a_known_section_when_filtered_then_only_its_readable_articles_are_listed(people, articles):
    # Given a second section with one public article
    other = ArticleFactory(section=SectionFactory(name="Billing"), title="Reading your invoice")
    http = _as(people["premium_user"])
    # When the client user lists that section, by listing and by searching
    listed = http.get(URL, {"section": other.section.slug})
    searched = http.get(URL, {"section": other.section.slug, "q": "invoice"})
    # Then only that section's article is there
    assert listed.status_code == 200 and [a["slug"] for a in listed.json()["items"]] == [other.slug]
    assert [a["slug"] for a in searched.json()["items"]] == [other.slug]
    # and a known section with no hit for the words is an empty list, not an error
    nothing = http.get(URL, {"section": other.section.slug, "q": "calendaring"})
    assert nothing.status_code == 200 and nothing.json()["items"] == []


def test_given_a_section_holding_only_drafts_then_editors_see_it_empty_and_readers_as_unknown(people, articles):
    # Given a section whose only article is a draft (GET /sections does not name it to readers)
    drafts = ArticleFactory(section=SectionFactory(name="Coming soon"), title="Unreleased feature",
                            publish=False).section
    # When an editor filters by it
    editor = _as(people["agent"]).get(URL, {"section": drafts.slug})
    # Then they get the draft (editors read drafts), and a reader who cannot list the section gets the same
    # 422 as for a missing one, so its name leaks nothing
    assert editor.status_code == 200 and [a["title"] for a in editor.json()["items"]] == ["Unreleased feature"]
    reader = _as(people["no_plan_user"]).get(URL, {"section": drafts.slug})
    assert reader.status_code == 422 and reader.json()["error"]["fields"] == {"section": "unknown"}


def test_given_an_empty_section_when_an_editor_filters_by_it_then_the_list_is_empty(people, articles):
    # Given a section with no article at all
    empty = SectionFactory(name="Empty shelf")
    # When an editor (who lists every section) filters by it
    response = _as(people["agent"]).get(URL, {"section": empty.slug})
    # Then the list is empty
    assert response.status_code == 200 and response.json()["items"] == []
