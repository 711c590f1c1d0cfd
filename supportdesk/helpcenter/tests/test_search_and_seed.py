"""Full-text search (FTS5 on SQLite, tsvector on PostgreSQL) and the seeded page."""

from __future__ import annotations

from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import Article

from .factories import ArticleFactory


def test_search_finds_words_in_titles_and_bodies_best_first(people, as_person):
    ArticleFactory(title="Calendar sync", body="Outlook calendar entries stop syncing after an upgrade.")
    ArticleFactory(title="Invoices", body="How invoices are numbered.")
    http = as_person(people["premium_user"])
    page = http.get("/help/", {"q": "outlook calendar"}).content.decode()
    assert "Calendar sync" in page and "/help/articles/invoices/" not in page
    assert "1 result" in page


def test_search_follows_edits(people, as_person):
    article = ArticleFactory(title="Old title", body="Nothing special")
    actions.edit_article(None, article, body="Now about trust accounting")
    hits = as_person(people["agent"]).get("/api/v1/help/articles", {"q": "trust accounting"}).json()["items"]
    assert [h["slug"] for h in hits] == [article.slug]


def test_search_matches_word_prefixes_on_every_database(people, as_person):
    # Given an article about configuring the calendar connector
    ArticleFactory(title="Connector set-up", body="Configure the calendar connector before the first sync.")
    http = as_person(people["agent"])
    # When someone searches with the beginnings of its words
    hits = http.get("/api/v1/help/articles", {"q": "config calend"}).json()["items"]
    # Then it is found (SQLite FTS5 and PostgreSQL tsquery alike), and a word it lacks still excludes it
    assert [h["title"] for h in hits] == ["Connector set-up"]
    assert http.get("/api/v1/help/articles", {"q": "config invoice"}).json()["items"] == []


def test_given_accented_and_unaccented_articles_when_searching_either_way_then_both_databases_match_alike(
        people, as_person):
    # Given an article with accents and one without
    ArticleFactory(title="Café billing", body="Les entrées du résumé arrivent après la synchronisation.")
    ArticleFactory(title="Resume upload", body="Upload a RESUME file.")
    http = as_person(people["agent"])

    def titles(q: str) -> list[str]:
        return sorted(h["title"] for h in http.get("/api/v1/help/articles", {"q": q}).json()["items"])

    # When words are searched with or without accents, in any case (SQLite FTS5 and PostgreSQL alike)
    # Then accents and case make no difference, and prefixes still match
    assert titles("cafe") == titles("CAFÉ") == titles("café") == ["Café billing"]
    assert titles("entrees apres") == ["Café billing"]
    assert titles("résumé") == titles("resume") == ["Café billing", "Resume upload"]
    assert titles("resum upload") == ["Resume upload"]


def test_the_search_text_is_stored_folded_by_the_actions(people):
    article = ArticleFactory(title="Crème Brûlée", body="<p>Straße</p>")
    assert Article.objects.get(pk=article.pk).search_text == "creme brulee\nstrasse"
    actions.edit_article(None, article, title="Déjà vu")
    assert Article.objects.get(pk=article.pk).search_text.startswith("deja vu\n")


def test_search_with_query_syntax_characters_is_safe(people, as_person):
    ArticleFactory(title="Quotes guide", body='Use "double quotes" carefully')
    http = as_person(people["agent"])
    for q in ['"', 'AND OR NOT', "quo*", "(", "NEAR(a b)", "'; DROP TABLE x; --", "a:* | !b", "_ __ é"]:
        assert http.get("/help/", {"q": q}).status_code == 200


def test_blank_search_words_in_the_api_list_everything_as_the_page_does(people, as_person):
    ArticleFactory(title="Calendar sync")
    http = as_person(people["premium_user"])
    everything = http.get("/api/v1/help/articles").json()
    assert everything["count"] == 2  # with the seeded article
    assert http.get("/api/v1/help/articles", {"q": "   "}).json() == everything


def test_search_with_no_match_shows_an_empty_state(people, as_person):
    page = as_person(people["agent"]).get("/help/", {"q": "zyxwvut"}).content.decode()
    assert "No article matches" in page


def test_seeded_article_is_public_closed_for_comments_with_zero_comments(db, client):
    article = Article.objects.get(slug="advanced-support-offerings")
    assert article.title == "Advanced Support Offerings" and not article.comments_open
    page = client.get("/help/articles/advanced-support-offerings/").content.decode()
    assert "Article is closed for comments" in page
    assert "0 comments" in page
    assert "Access up to 10 designated Users" in page
    assert "30 Minutes Response Time" in page
    assert 'name="body"' not in page


def test_seeded_article_is_found_by_search(db, client):
    page = client.get("/help/", {"q": "designated users"}).content.decode()
    assert "Advanced Support Offerings" in page
