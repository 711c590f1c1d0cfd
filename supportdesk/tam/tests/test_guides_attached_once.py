"""A guide retried after a timeout (Idempotency-Key) or sent twice from the guide page (a double click) is attached
once: one library entry and, for written steps, one published article; the retry is answered with the first guide."""

from __future__ import annotations

import re

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.helpcenter.models import Article
from supportdesk.tam import library
from supportdesk.tam.models import LibraryItem
from supportdesk.tickets.models import TicketEvent

STEPS = {"title": "Speed up reports", "body": "1. Open settings\n2. Rebuild the index", "private": True}


def _post(http, world, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/tam/tickets/{world['ticket'].pk}/guides", body, content_type="application/json",
                     **headers)


def _attached() -> tuple[int, int, int]:
    """Library entries, guide articles and the ticket's guide events."""
    return (LibraryItem.objects.count(), Article.objects.filter(section__slug=library.GUIDES_SECTION[1]).count(),
            TicketEvent.objects.filter(kind="tam.guide_attached").count())


def test_given_a_guide_retried_with_its_key_then_one_guide_one_article_and_the_first_answer(world, as_person):
    # Given a TAM's guide written on a ticket, its answer lost to a timeout
    http = as_person(world["people"]["tam"])
    first = _post(http, world, STEPS, "guide-1")
    # When the client retries the same POST with the same key
    again = _post(http, world, STEPS, "guide-1")
    # Then the retry answers the first guide with 200, and its article is published once
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert _attached() == (1, 1, 1)


def test_given_an_existing_article_attached_with_a_key_then_a_retry_attaches_it_once(world, as_person):
    http = as_person(world["people"]["tam"])
    article = library.attach_guide(world["people"]["tam"], world["ticket"], title="Known fix", body="Steps").article
    first = _post(http, world, {"article_id": article.pk}, "guide-2")
    again = _post(http, world, {"article_id": article.pk}, "guide-2")
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 200, first.json()["id"])
    assert LibraryItem.objects.filter(article=article).count() == 2  # the one it came from, and this one


@pytest.mark.parametrize("other", [{"title": "Another title"}, {"body": "Other steps"}, {"private": False}])
def test_given_a_key_reused_for_another_guide_then_422_and_nothing_attached(world, as_person, other):
    http = as_person(world["people"]["tam"])
    assert _post(http, world, STEPS, "guide-3").status_code == 201
    answer = _post(http, world, {**STEPS, **other}, "guide-3")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "tam.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _attached() == (1, 1, 1)


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_attached(world, as_person, key):
    answer = _post(as_person(world["people"]["tam"]), world, STEPS, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "tam.bad_idempotency_key")
    assert _attached() == (0, 0, 0)


def test_given_no_key_then_each_post_attaches_a_guide(world, as_person):
    http = as_person(world["people"]["tam"])
    assert [_post(http, world, STEPS, None).status_code for _ in range(2)] == [201, 201]
    assert _attached() == (2, 2, 2)


def test_the_openapi_document_names_the_header_and_both_successes(world, as_person):
    operation = as_person(world["people"]["tam"]).get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/tam/tickets/{ticket_id}/guides"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_unique_key_decides_and_its_article_rolls_back(
        world, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    tam = world["people"]["tam"]
    first = library.place_guide(tam, world["ticket"], idempotency_key="race", **STEPS)
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry writes its guide and the unique key refuses its library entry
    again = library.place_guide(tam, world["ticket"], idempotency_key="race", **STEPS)
    # Then it answers the first guide, and the article it had published was rolled back with it
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert _attached() == (1, 1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_guide(tmp_path):
    from supportdesk.accounts.actions import assign_tam
    from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

    from .factories import guides_category

    client, tam = premium_client(name="Race Firm"), StaffFactory(staff_roles=["tam"])
    assign_tam(None, client=client, tam=tam)
    ticket = TicketFactory(requester=ClientUserFactory(client=client), category=guides_category())
    with shared_file_database(tmp_path):
        run = run_concurrently(3, lambda i: None, lambda i, _: library.place_guide(
            tam, ticket, idempotency_key="same", **STEPS))
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert _attached() == (1, 1, 1)


def test_given_the_guide_form_sent_twice_then_one_guide_and_an_edited_one_is_new(world, as_person):
    # Given the TAM on the ticket's guide page, with its form as it was rendered
    http = as_person(world["people"]["tam"])
    url = f"/tam/tickets/{world['ticket'].pk}/guide/"
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
    assert found, "the guide form carries its submission value"
    sent = {"title": STEPS["title"], "body": STEPS["body"], "private": "on", "submission": found.group(1)}
    # When it is sent twice (a double click), then once more with other steps (Back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "body": "Other steps"})]
    # Then the two identical ones attached one guide; the edited one is a second guide
    assert [a.status_code for a in answers] == [302] * 3
    assert _attached() == (2, 2, 2)
