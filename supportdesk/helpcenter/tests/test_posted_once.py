"""A comment or an article retried after a timeout (Idempotency-Key) or sent twice from its form (a double click)
is posted once, and the retry is answered with the first one; the same key with another request is refused."""

from __future__ import annotations

import re

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.factories import ClientUserFactory, StaffFactory
from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import Article, Comment, HelpEvent

from .factories import ArticleFactory, SectionFactory

SEEDED = "advanced-support-offerings"  # migration helpcenter.0004's article
ARTICLE = {"section": "calendars", "title": "Fix duplicate calendar entries", "publish": True,
           "body": "Remove the second sync.\n- Open settings\n- Untick Outlook"}


@pytest.fixture
def section(db):  # noqa: ANN001, ANN201
    return SectionFactory(name="Calendars", slug="calendars")


def _comment(http, article, body: str, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/help/articles/{article.slug}/comments", {"body": body},
                     content_type="application/json", **headers)


def _article(http, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post("/api/v1/help/articles", body, content_type="application/json", **headers)


def _events(kind: str) -> int:
    return HelpEvent.objects.filter(kind=kind).exclude(article__slug=SEEDED).count()


def _articles() -> list[str]:
    """The slugs of the articles the test wrote (not the help center's seeded one)."""
    return sorted(Article.objects.exclude(slug=SEEDED).values_list("slug", flat=True))


# --- comments -----------------------------------------------------------------------------------------------------

def test_given_a_comment_retried_with_its_key_then_one_comment_and_the_first_answer(people, articles, as_person):
    # Given a reader's comment that was posted, its answer lost to a timeout
    http = as_person(people["premium_user"])
    first = _comment(http, articles["public"], "This helped, thanks.", "c-1")
    # When the client retries the same POST with the same key
    again = _comment(http, articles["public"], "This helped, thanks.", "c-1")
    # Then the retry answers the first comment with 200, and nothing is posted again
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert (Comment.objects.count(), _events("comment.added")) == (1, 1)


def test_given_a_retry_after_comments_were_closed_then_the_first_comment_not_a_refusal(people, articles, as_person):
    http = as_person(people["premium_user"])
    first = _comment(http, articles["public"], "Thanks", "c-2")
    actions.set_comments_open(None, articles["public"], False)
    again = _comment(http, articles["public"], "Thanks", "c-2")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_given_retries_then_they_do_not_count_against_the_rate(people, articles, as_person):
    # Given a reader's comment posted once with a key
    http = as_person(people["premium_user"])
    _comment(http, articles["public"], "Once", "c-3")
    # When it is retried five times within the minute
    retries = [_comment(http, articles["public"], "Once", "c-3").status_code for _ in range(5)]
    # Then every retry is answered, and four more comments still fit the minute's five
    assert retries == [200] * 5
    assert [_comment(http, articles["public"], f"More {n}", None).status_code for n in range(4)] == [201] * 4


@pytest.mark.parametrize("other", [{"body": "Another text"}, {"article": "signed_in"}])
def test_given_a_key_reused_for_another_comment_then_422_and_nothing_posted(people, articles, as_person, other):
    http = as_person(people["premium_user"])
    assert _comment(http, articles["public"], "Thanks", "c-4").status_code == 201
    answer = _comment(http, articles[other.get("article", "public")], other.get("body", "Thanks"), "c-4")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "help.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_posted(people, articles, as_person, key):
    answer = _comment(as_person(people["premium_user"]), articles["public"], "Thanks", key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "help.bad_idempotency_key")
    assert Comment.objects.count() == 0


def test_given_the_same_key_from_two_people_or_no_key_then_each_post_is_a_comment(people, articles, as_person):
    a = _comment(as_person(people["premium_user"]), articles["public"], "Thanks", "same")
    b = _comment(as_person(people["maintenance_user"]), articles["public"], "Thanks", "same")
    c, d = (_comment(as_person(people["premium_user"]), articles["public"], "Thanks", None) for _ in range(2))
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4


def test_given_a_comment_retry_racing_its_first_attempt_then_the_lock_answers_the_first(people, articles, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    reader, article = people["premium_user"], articles["public"]
    first = actions.post_comment(reader, article, body="Race", idempotency_key="race")
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry takes the person's lock
    again = actions.post_comment(reader, article, body="Race", idempotency_key="race")
    # Then it finds the first comment there and answers it
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_comment_attempts_with_one_key_at_once_then_one_comment(tmp_path):
    # Given a reader and an open article (SQLite: a WAL file every thread's connection shares)
    article, reader = ArticleFactory(title="Race guide"), ClientUserFactory()
    with shared_file_database(tmp_path):
        # When three attempts with the same key are released together
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.post_comment(
            reader, article, body="Same words", idempotency_key="same"))
        # Then one comment is posted, and every attempt answers it
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(Comment.objects.values_list("pk", flat=True))
        assert HelpEvent.objects.filter(kind="comment.added").count() == 1


def test_given_the_comment_form_sent_twice_then_one_comment_and_an_edited_one_is_new(people, articles, as_person):
    # Given a reader on an article, with the comment form as it was rendered
    http = as_person(people["premium_user"])
    url = f"/help/articles/{articles['public'].slug}/"
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
    assert found, "the comment form carries its submission value"
    sent = {"body": "This helped, thanks.", "submission": found.group(1)}
    # When it is sent twice (a double click), then once more with other words (Back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "body": "And this too."})]
    # Then the two identical ones posted one comment (both land on it); the edited one is a second comment
    assert [a.status_code for a in answers] == [302] * 3
    assert answers[0]["Location"] == answers[1]["Location"] != answers[2]["Location"]
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["And this too.", "This helped, thanks."]


# --- articles -----------------------------------------------------------------------------------------------------

def test_given_an_article_retried_with_its_key_then_one_article_not_a_second_numbered_one(section, as_person):
    # Given an agent's published article, its answer lost to a timeout
    http = as_person(StaffFactory(staff_roles=["agent"]))
    first = _article(http, ARTICLE, "a-1")
    # When the client retries the same POST with the same key
    again = _article(http, ARTICLE, "a-1")
    # Then the retry answers the first article with 200: no "-2" copy is published
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert _articles() == ["fix-duplicate-calendar-entries"]
    assert _events("article.created") == 1


def test_given_a_retry_with_an_explicit_slug_after_an_edit_then_the_first_article_not_a_conflict(section, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    body = {**ARTICLE, "slug": "calendar-duplicates"}
    first = _article(http, body, "a-2")
    http.patch("/api/v1/help/articles/calendar-duplicates", {"title": "Calendar duplicates"},
               content_type="application/json")
    again = _article(http, body, "a-2")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"]), again.content
    assert again.json()["title"] == "Calendar duplicates"  # the article as it is now
    assert len(_articles()) == 1


@pytest.mark.parametrize("other", [{"title": "Another title"}, {"body": "Other steps"}, {"slug": "calendars-2"},
                                   {"publish": False}, {"comments_open": False}, {"visibility": "signed_in"}])
def test_given_a_key_reused_for_another_article_then_422_and_nothing_written(section, as_person, other):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    assert _article(http, ARTICLE, "a-3").status_code == 201
    answer = _article(http, {**ARTICLE, **other}, "a-3")
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "help.idempotency_key_reused")
    assert len(_articles()) == 1


def test_given_no_key_then_each_post_is_an_article(section, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    assert [_article(http, ARTICLE, None).status_code for _ in range(2)] == [201, 201]
    assert len(_articles()) == 2


def test_given_an_article_retry_racing_its_first_attempt_then_the_unique_key_decides(section, monkeypatch):
    agent = StaffFactory(staff_roles=["agent"])
    kwargs = {"section": section, "title": "Race", "body": "Steps", "publish": True, "idempotency_key": "race"}
    first = actions.write_article(agent, **kwargs)
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    again = actions.write_article(agent, **kwargs)
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert (len(_articles()), _events("article.created")) == (1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_article_attempts_with_one_key_at_once_then_one_article(tmp_path):
    section, agent = SectionFactory(name="Race"), StaffFactory(staff_roles=["agent"])
    with shared_file_database(tmp_path):
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.write_article(
            agent, section=section, title="Race", body="Steps", publish=True, idempotency_key="same"))
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert _articles() == ["race"]


def test_given_the_new_article_form_sent_twice_then_one_article(section, as_person):
    # Given an agent on the new-article page, with its form as it was rendered
    http = as_person(StaffFactory(staff_roles=["agent"]))
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get("/help/manage/new/").content.decode())
    assert found, "the article form carries its submission value"
    sent = {"title": "Fix duplicate calendar entries", "section": str(section.pk), "slug": "", "body": "Steps",
            "visibility": "everyone", "required_offering": "", "client": "", "comments_open": "on",
            "publish": "1", "submission": found.group(1)}
    # When Publish is clicked twice
    answers = [http.post("/help/manage/new/", sent) for _ in range(2)]
    # Then both land on the one article's page; no "-2" copy was published
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, "/help/manage/fix-duplicate-calendar-entries/")] * 2
    assert len(_articles()) == 1


def test_the_openapi_document_names_the_header_on_both_operations(section, as_person):
    paths = as_person(StaffFactory(staff_roles=["agent"])).get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/help/articles", "/api/v1/help/articles/{slug}/comments"):
        operation = paths[path]["post"]
        assert "Idempotency-Key" in operation["description"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
        assert {"200", "201"} <= set(operation["responses"])
