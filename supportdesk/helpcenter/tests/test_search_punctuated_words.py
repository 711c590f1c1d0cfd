"""Words joined by punctuation ("24/7", "e-mail", "v2.1", an address) are found the same way on both
databases. PostgreSQL's parser would otherwise keep "24/7" as one lexeme (a file path) while the query
splits it into "24" and "7", so searching the product's own plan name found nothing there."""

from __future__ import annotations

import pytest

from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import Article

from .factories import ArticleFactory


def titles_found(http, query: str) -> list[str]:  # noqa: ANN001
    return [a["title"] for a in http.get("/api/v1/help/articles", {"q": query}).json()["items"]]


def test_given_the_seeded_page_when_searching_for_24_7_then_it_is_found(db, client):
    page = client.get("/help/", {"q": "24/7"}).content.decode()
    assert "Advanced Support Offerings" in page
    page = client.get("/help/", {"q": "24/7 support queue"}).content.decode()
    assert "Advanced Support Offerings" in page


@pytest.mark.parametrize("query", ["e-mail", "E-Mail relay", "v2.1", "v2", "ops@firm.example", "firm.example",
                                   "backup_window", "window"])
def test_given_punctuated_words_when_searching_them_then_both_databases_find_the_article(people, as_person, query):
    ArticleFactory(title="Relay settings", body="Point the e-mail relay at ops@firm.example after v2.1 (backup_window).")
    ArticleFactory(title="Unrelated", body="Nothing to see.")
    assert titles_found(as_person(people["agent"]), query) == ["Relay settings"]


def test_the_stored_search_text_is_the_words_alone(people):
    article = ArticleFactory(title="24/7 Café", body="e-mail at v2.1")
    actions.edit_article(None, article, body="Call 24/7: e-mail ops@firm.example.")
    stored = Article.objects.get(pk=article.pk).search_text
    assert "/" not in stored and "@" not in stored and "-" not in stored
    assert "24 7" in stored and "cafe" in stored
