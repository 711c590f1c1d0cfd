"""The search keeps at most MAX_HITS hits. They are counted among the articles the reader may read, so
drafts and other clients' private guides that match better can never push a readable article out."""

from __future__ import annotations

import pytest

from supportdesk.helpcenter import search

from .factories import ArticleFactory, SectionFactory


@pytest.fixture
def crowded(people):  # noqa: ANN001, ANN201
    section = SectionFactory(name="Guides")
    for n in range(4):  # better matches (the word many times), none of them readable by the Maintenance client
        ArticleFactory(section=section, title=f"Widget widget guide {n}", body="widget " * 20,
                       visibility="client", client=people["premium"])
    ArticleFactory(section=section, title="Widget draft", body="widget " * 20, publish=False)
    ArticleFactory(section=section, title="Public notes", body="Among other things, one widget.")
    return people


def test_given_better_hidden_matches_when_a_client_searches_then_the_readable_article_is_still_found(
        crowded, as_person, monkeypatch):
    monkeypatch.setattr(search, "MAX_HITS", 3)
    http = as_person(crowded["maintenance_user"])
    found = [a["title"] for a in http.get("/api/v1/help/articles", {"q": "widget"}).json()["items"]]
    assert found == ["Public notes"]
    assert "Public notes" in http.get("/help/", {"q": "widget"}).content.decode()


def test_given_the_same_search_by_staff_then_the_limit_counts_everything_they_may_read(crowded, as_person, monkeypatch):
    monkeypatch.setattr(search, "MAX_HITS", 3)
    found = as_person(crowded["agent"]).get("/api/v1/help/articles", {"q": "widget"}).json()["items"]
    assert len(found) == 3
