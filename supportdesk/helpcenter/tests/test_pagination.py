"""Every help center list pages (SPEC §11): the index, search hits, comments and the staff list."""

from __future__ import annotations

import re

from supportdesk.factories import StaffFactory
from supportdesk.helpcenter.models import Comment, Section

from .factories import ArticleFactory, SectionFactory


def _titles(page: str) -> list[str]:
    return re.findall(r'class="article-link" href="[^"]+">([^<]+)</a>', page)


def test_the_index_shows_25_articles_a_page_with_a_pager(db, client):
    # Given 30 public articles in one section (and the seeded one)
    section = SectionFactory(name="Calendars")
    for n in range(30):
        ArticleFactory(section=section, title=f"Calendar tip {n:02d}")
    # When anyone opens the help center
    first = client.get("/help/").content.decode()
    second = client.get("/help/?page=2").content.decode()
    # Then the first page holds 25 articles and a pager, the second the rest, none twice
    assert len(_titles(first)) == 25
    assert 'class="pager"' in first and "page=2" in first and "31 in all" in first
    assert len(_titles(second)) == 6
    assert not set(_titles(first)) & set(_titles(second))
    assert client.get("/help/?page=abc").status_code == 200  # a bad page number is the first page


def test_search_hits_page_and_the_pager_keeps_the_words(db, client):
    section = SectionFactory(name="Calendars")
    for n in range(27):
        ArticleFactory(section=section, title=f"Outlook sync {n:02d}")
    first = client.get("/help/?q=outlook").content.decode()
    assert "27 results for" in first
    assert len(_titles(first)) == 25
    assert "?q=outlook&amp;page=2" in first
    second = client.get("/help/?q=outlook&page=2").content.decode()
    assert len(_titles(second)) == 2


def test_comments_page_and_a_new_comment_lands_on_its_page(people, as_person):
    # Given an article with 50 comments already
    article = ArticleFactory(title="Busy guide")
    Comment.objects.bulk_create(Comment(article=article, author=people["agent"], body=f"Remark {n}")
                                for n in range(50))
    http = as_person(people["premium_user"])
    # When a reader adds the 51st
    response = http.post(f"/help/articles/{article.slug}/", {"body": "Number fifty-one"})
    # Then they are sent to the second page of comments, where it is; the first page holds 50
    assert response.status_code == 302
    assert response["Location"].startswith(f"/help/articles/{article.slug}/?page=2#comment-")
    first = http.get(f"/help/articles/{article.slug}/").content.decode()
    assert first.count('class="comment"') == 50 and "51 comments" in first and 'class="pager"' in first
    assert "Number fifty-one" not in first
    assert "Number fifty-one" in http.get(f"/help/articles/{article.slug}/?page=2").content.decode()


def test_the_staff_article_list_pages(people, as_person):
    section = SectionFactory(name="Calendars")
    for n in range(26):
        ArticleFactory(section=section, title=f"Draft tip {n:02d}", publish=False)
    http = as_person(people["agent"])
    first = http.get("/help/manage/").content.decode()
    assert first.count('href="/help/manage/draft-tip-') == 25 and 'class="pager"' in first
    second = http.get("/help/manage/?page=2").content.decode()
    assert second.count('href="/help/manage/') >= 1 and "Draft tip 25" in second
    assert second.count('href="/help/manage/draft-tip-') == 1  # the 26th only



def test_hiding_a_comment_on_the_second_page_returns_to_that_page(people, as_person):
    # Given 55 comments; when a moderator hides the 53rd
    article = ArticleFactory(title="Busy guide")
    Comment.objects.bulk_create(Comment(article=article, author=people["premium_user"], body=f"Remark {n}")
                                for n in range(55))
    target = Comment.objects.filter(article=article).order_by("created_at", "id")[52]
    response = as_person(people["agent"]).post(f"/help/comments/{target.pk}/moderate/", {"hidden": "1"})
    # Then they are back on page 2, at that comment, which is now marked hidden
    assert response["Location"] == f"/help/articles/{article.slug}/?page=2#comment-{target.pk}"
    target.refresh_from_db()
    assert target.hidden


def test_the_staff_list_of_sections_comes_25_at_a_time(db, as_person):
    # Given 30 sections besides the seeded ones
    for n in range(30):
        SectionFactory(name=f"Topic {n:02d}")
    total = Section.objects.count()
    http = as_person(StaffFactory(staff_roles=["manager"]))
    # When the help center's manage page is read, then its second page of sections
    first = http.get("/help/manage/").content.decode()
    second = http.get("/help/manage/", {"sections_page": 2}).content.decode()
    # Then 25 sections, then the rest, with the total
    listed = re.compile(r'<li>[^<]+ <span class="muted">\([^)]+\)</span></li>')
    assert len(listed.findall(first)) == 25 and f"Page 1 of 2 · {total} sections" in first
    assert len(listed.findall(second)) == total - 25
