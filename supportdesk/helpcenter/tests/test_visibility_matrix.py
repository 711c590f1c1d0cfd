"""Who reads which article: every role x every visibility and status. Hidden answers 404 like a missing slug."""

from __future__ import annotations

import pytest

from supportdesk.policy import helpcenter as help_policy

from .factories import ArticleFactory, SectionFactory

ROLES = ["agent", "billing", "premium_user", "maintenance_user", "no_plan_user", None]
ARTICLES = ["public", "signed_in", "entitled_any", "entitled_premium", "private", "draft"]

MAY_READ = {
    "public": set(ROLES),
    "signed_in": set(ROLES) - {None},
    "entitled_any": {"agent", "billing", "premium_user", "maintenance_user"},
    "entitled_premium": {"agent", "billing", "premium_user"},
    "private": {"agent", "billing", "premium_user"},
    "draft": {"agent", "billing"},
}


@pytest.mark.parametrize("which", ARTICLES)
def test_article_page_is_shown_only_to_those_the_policy_allows(people, articles, as_person, which):
    # Given an article of some visibility
    article = articles[which]
    for role in ROLES:
        # When a person in each role opens its page
        http = as_person(people[role] if role else None)
        response = http.get(f"/help/articles/{article.slug}/")
        # Then they read it, or get 404 exactly like a missing slug
        if role in MAY_READ[which]:
            assert response.status_code == 200, role
            assert article.title in response.content.decode()
        else:
            assert response.status_code == 404, role
            assert http.get("/help/articles/no-such-article/").status_code == 404


@pytest.mark.parametrize("which", ARTICLES)
def test_api_article_detail_follows_the_same_policy(people, articles, as_person, which):
    for role in [r for r in ROLES if r]:
        http = as_person(people[role])
        response = http.get(f"/api/v1/help/articles/{articles[which].slug}")
        if role in MAY_READ[which]:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 404, role
            assert response.json()["error"]["code"] == "not_found"


def test_index_lists_exactly_the_readable_articles(people, articles, as_person):
    for role in ROLES:
        http = as_person(people[role] if role else None)
        page = http.get("/help/").content.decode()
        for which, article in articles.items():
            assert (article.title in page) == (role in MAY_READ[which]), (role, which)


@pytest.mark.parametrize("role", [r for r in ROLES if r])
def test_api_list_and_search_show_only_readable_articles(people, articles, as_person, role):
    http = as_person(people[role])
    listed = {a["slug"] for a in http.get("/api/v1/help/articles").json()["items"]}
    searched = {a["slug"] for a in http.get("/api/v1/help/articles", {"q": "guide"}).json()["items"]}
    expected = {articles[w].slug for w in ARTICLES if role in MAY_READ[w]}
    assert expected <= listed and not ({a.slug for a in articles.values()} - expected) & listed
    ours = {a.slug for a in articles.values()}
    assert searched & ours == expected  # the seeded public article may match "guide" too


def test_anonymous_api_calls_must_authenticate(articles, client):
    assert client.get("/api/v1/help/articles").status_code == 401


def test_entitlement_that_ended_hides_entitled_articles(people, articles):
    # Given a client whose only order ended before today
    from datetime import date

    from supportdesk.factories import ClientUserFactory, OrderFactory

    user = ClientUserFactory()
    OrderFactory(client=user.client, offerings=["premium"], effective_from=date(2020, 1, 1),
                 signed_on=date(2020, 1, 1), effective_to=date(2021, 1, 1))
    # Then neither entitled article is readable, but the public one is
    assert not help_policy.can_view_article(user, articles["entitled_any"])
    assert not help_policy.can_view_article(user, articles["entitled_premium"])
    assert help_policy.can_view_article(user, articles["public"])


def test_api_sections_name_only_what_the_reader_may_read(people, articles, as_person):
    # Given an empty section, one holding only a draft, and one holding only another client's private guide
    SectionFactory(name="Upcoming product")
    ArticleFactory(section=SectionFactory(name="Unannounced release"), title="Release notes", publish=False)
    ArticleFactory(section=SectionFactory(name="Premium Firm guides"), visibility="client",
                   client=people["premium"])

    def names(role: str) -> set[str]:
        return {s["name"] for s in as_person(people[role]).get("/api/v1/help/sections").json()["items"]}

    # Then a client's person sees only sections with an article they may read; the editor sees every section
    assert names("no_plan_user") == {"Guides", "Support plans"}
    assert names("premium_user") == {"Guides", "Support plans", "Premium Firm guides"}
    assert {"Upcoming product", "Unannounced release", "Premium Firm guides"} <= names("agent")
