"""Comments: only when open, by signed-in readers, sanitised, rate limited, moderated by staff."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from supportdesk.errors import DomainError, Forbidden, NotFound
from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import Comment, HelpEvent

from .factories import ArticleFactory


def test_signed_in_reader_comments_on_an_open_article_and_the_count_grows(people, articles, as_person):
    http = as_person(people["premium_user"])
    response = http.post(f"/help/articles/{articles['public'].slug}/", {"body": "This helped, thanks."})
    assert response.status_code == 302
    page = http.get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "This helped, thanks." in page
    assert "1 comment<" in page
    assert HelpEvent.objects.filter(kind="comment.added", article=articles["public"]).exists()


def test_closed_article_shows_so_with_its_count_and_no_comment_form(people, as_person):
    # Given an article with one comment that is then closed for comments
    article = ArticleFactory(title="Closed guide")
    actions.add_comment(people["premium_user"], article, body="Early comment")
    actions.set_comments_open(None, article, False)
    # When a signed-in reader opens it
    page = as_person(people["premium_user"]).get(f"/help/articles/{article.slug}/").content.decode()
    # Then it says it is closed, shows the count, and offers no comment form
    assert "Article is closed for comments" in page
    assert "1 comment<" in page
    assert 'class="comment-form"' not in page and 'name="body"' not in page


def test_commenting_on_a_closed_article_is_refused(people, as_person):
    article = ArticleFactory(comments_open=False)
    with pytest.raises(Forbidden) as refused:
        actions.add_comment(people["premium_user"], article, body="Hello")
    assert refused.value.code == "help.comments_closed"
    response = as_person(people["premium_user"]).post(f"/api/v1/help/articles/{article.slug}/comments",
                                                      {"body": "Hello"}, content_type="application/json")
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_anonymous_reader_is_asked_to_sign_in_instead_of_a_form(articles, client):
    page = client.get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "Sign in</a> to comment" in page and 'name="body"' not in page
    response = client.post(f"/help/articles/{articles['public'].slug}/", {"body": "spam"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Comment.objects.count() == 0


def test_comment_on_an_article_the_person_may_not_read_answers_404(people, articles, as_person):
    with pytest.raises(NotFound):
        actions.add_comment(people["no_plan_user"], articles["entitled_any"], body="hi")
    http = as_person(people["no_plan_user"])
    assert http.post(f"/help/articles/{articles['entitled_any'].slug}/", {"body": "hi"}).status_code == 404


def test_stored_xss_in_a_comment_is_rendered_inert(people, articles, as_person):
    http = as_person(people["premium_user"])
    http.post(f"/help/articles/{articles['public'].slug}/",
              {"body": 'Look <script>alert("x")</script><img src=x onerror=alert(1)> <b>bold</b>'})
    stored = Comment.objects.get()
    assert "<script" not in stored.body and "onerror" not in stored.body
    page = http.get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "<script>alert" not in page and "onerror=alert" not in page and "<b>bold</b>" not in page
    assert "Look" in page and "bold" in page


def test_markup_typed_as_text_is_escaped_not_executed(people, articles, as_person):
    http = as_person(people["premium_user"])
    http.post(f"/help/articles/{articles['public'].slug}/", {"body": "Use &lt;script&gt; tags? 1 < 2"})
    page = http.get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "&lt;script&gt; tags? 1 &lt; 2" in page


def test_stored_xss_in_an_article_body_is_rendered_inert(people, as_person):
    article = ArticleFactory(body='<p onclick="steal()">Steps</p><script>alert(1)</script>'
                                  '<a href="javascript:alert(1)">link</a><iframe src="https://evil"></iframe>')
    page = as_person(people["agent"]).get(f"/help/articles/{article.slug}/").content.decode()
    assert "Steps" in page
    for bad in ("<script>alert(1)", "onclick=", "javascript:", "<iframe"):
        assert bad not in page


def test_sixth_comment_within_a_minute_is_refused_with_a_clear_message_then_allowed_later(people, articles, as_person):
    http = as_person(people["premium_user"])
    url = f"/help/articles/{articles['public'].slug}/"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(5):
            assert http.post(url, {"body": f"comment {n}"}).status_code == 302
        refused = http.post(url, {"body": "one too many"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"  # not 61 for a one-minute window
    page = refused.content.decode()
    assert "at most 5 comments a minute" in page and 'class="field-error"' in page
    assert "Try again in 60 seconds." in page
    api = http.post(f"/api/v1/help/articles/{articles['public'].slug}/comments", {"body": "api"},
                    content_type="application/json")
    assert api.status_code == 429 and api.json()["error"]["code"] == "help.rate_limited"
    assert api["Retry-After"] == str(api.json()["error"]["details"]["retry_after"])
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert http.post(url, {"body": "too early"}).status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):  # the 60 s it said
        assert http.post(url, {"body": "a minute later"}).status_code == 302
    assert Comment.objects.count() == 6


def test_rate_limit_is_per_person(people, articles):
    for n in range(5):
        actions.add_comment(people["premium_user"], articles["public"], body=f"c{n}")
    with pytest.raises(DomainError):
        actions.add_comment(people["premium_user"], articles["public"], body="c6")
    actions.add_comment(people["agent"], articles["public"], body="staff may still answer")


def test_staff_hide_a_comment_readers_no_longer_see_it_and_the_count_drops(people, articles, as_person):
    comment = actions.add_comment(people["premium_user"], articles["public"], body="Rude words")
    staff = as_person(people["agent"])
    assert staff.post(f"/help/comments/{comment.pk}/moderate/", {"hidden": "1"}).status_code == 302
    reader_page = as_person(people["maintenance_user"]).get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "Rude words" not in reader_page and "0 comments" in reader_page
    staff_page = staff.get(f"/help/articles/{articles['public'].slug}/").content.decode()
    assert "Rude words" in staff_page and "Hidden by a moderator" in staff_page
    assert HelpEvent.objects.filter(kind="comment.hidden").count() == 1


def test_readers_cannot_moderate(people, articles, as_person):
    comment = actions.add_comment(people["agent"], articles["public"], body="Official answer")
    http = as_person(people["premium_user"])
    assert http.post(f"/help/comments/{comment.pk}/moderate/", {"hidden": "1"}).status_code == 404
    api = http.post(f"/api/v1/help/comments/{comment.pk}/moderate", {"hidden": True}, content_type="application/json")
    assert api.status_code == 403
    comment.refresh_from_db()
    assert not comment.hidden


def test_empty_comment_shows_the_error_in_place(people, articles, as_person):
    page = as_person(people["premium_user"]).post(f"/help/articles/{articles['public'].slug}/",
                                                  {"body": "<script></script>"})
    assert page.status_code == 422
    assert "Write a comment first." in page.content.decode()


def test_a_commenter_without_a_name_is_not_shown_by_email_address(people, articles, as_person, client):
    # Given a client person with no name on file (as intake creates them) who comments on a public article
    author = people["maintenance_user"]
    author.full_name = ""
    author.save(update_fields=["full_name"])
    slug = articles["public"].slug
    actions.add_comment(author, articles["public"], body="Worked for us.")
    # When anonymous readers, another client's person (page and API) and a moderator look
    anonymous = client.get(f"/help/articles/{slug}/").content.decode()
    other = as_person(people["premium_user"])
    other_page = other.get(f"/help/articles/{slug}/").content.decode()
    other_api = other.get(f"/api/v1/help/articles/{slug}/comments").json()["items"]
    moderator_api = as_person(people["agent"]).get(f"/api/v1/help/articles/{slug}/comments").json()["items"]
    # Then only the moderator sees the address; everyone else reads "A reader"
    assert "Worked for us." in anonymous and author.email not in anonymous and "A reader" in anonymous
    assert author.email not in other_page
    assert [c["author"] for c in other_api] == ["A reader"]
    assert [c["author"] for c in moderator_api] == [author.email]
    # And a named commenter keeps their name for everyone
    actions.add_comment(people["premium_user"], articles["public"], body="Same here.")
    assert people["premium_user"].full_name in client.get(f"/help/articles/{slug}/").content.decode()


def test_unnamed_staff_commenters_read_as_the_support_team_without_a_query_per_comment(
        people, articles, as_person, django_assert_max_num_queries):
    from supportdesk.factories import StaffFactory

    # Given unnamed support staff who commented on a public article
    slug = articles["public"].slug
    for n in range(6):
        actions.add_comment(StaffFactory(full_name="", staff_roles=["agent"]), articles["public"], body=f"Tip {n}")
    reader = as_person(people["premium_user"])
    reader.get(f"/api/v1/help/articles/{slug}/comments")  # warm: sessions, caches
    # When a reader lists the comments, then each reads "Support team", in a number of queries that does
    # not grow with the comments (it was one role query per unnamed author)
    with django_assert_max_num_queries(8):
        items = reader.get(f"/api/v1/help/articles/{slug}/comments").json()["items"]
    assert [c["author"] for c in items] == ["Support team"] * 6
