"""R12: "the TAM attaches a step-by-step guide (a help-center article)": besides writing new steps, the TAM
attaches an existing help-center article the client can read; a draft or another client's private article
is refused (the library must not leak it) and nothing is attached."""

from __future__ import annotations

import json

import pytest

from supportdesk.helpcenter.actions import create_article
from supportdesk.helpcenter.models import Section, Visibility
from supportdesk.tam.models import LibraryItem
from supportdesk.tickets.models import TicketEvent


def _article(world, *, title: str, visibility: str = Visibility.EVERYONE, client=None, publish: bool = True):  # noqa: ANN001, ANN202
    section = Section.objects.get_or_create(slug="how-to", defaults={"name": "How-to"})[0]
    return create_article(world["people"]["manager"], section=section, title=title,
                          body="<p>Step 1: open settings.</p><p>Step 2: rebuild the index.</p>",
                          visibility=visibility, client=client, publish=publish)


def _attach(http, world, body: dict):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/tam/tickets/{world['ticket'].pk}/guides", json.dumps(body),
                     content_type="application/json")


def test_given_a_published_article_when_the_tam_attaches_it_then_the_client_finds_it_in_its_library(world, as_person):
    # Given a published help-center article for everyone
    article = _article(world, title="Rebuild the search index")
    # When the client's TAM attaches it to the ticket by its id
    response = _attach(as_person(world["people"]["tam"]), world, {"article_id": article.pk})
    # Then it is the ticket's guide, titled like the article, recorded on the ticket
    assert response.status_code == 201, response.content
    item = LibraryItem.objects.get(pk=response.json()["id"])
    assert (item.kind, item.article_id, item.title, item.client) == ("guide", article.pk, article.title, world["own"])
    assert TicketEvent.objects.filter(ticket=world["ticket"], kind="tam.guide_attached").exists()
    # And the requester finds it in the library, with the article's steps
    client_http = as_person(world["people"]["client_user"])
    listed = client_http.get("/api/v1/tam/library").json()["items"]
    assert [i["id"] for i in listed] == [item.pk]
    assert b"Step 2: rebuild the index." in client_http.get(f"/portal/library/{item.pk}/").content


@pytest.mark.parametrize("kind", ["other client's private", "draft"])
def test_given_an_article_the_client_cannot_read_when_attached_then_422_and_nothing_attached(world, as_person, kind):
    article = (_article(world, title="Their secret fix", visibility=Visibility.CLIENT, client=world["other"])
               if kind != "draft" else _article(world, title="Unfinished", publish=False))
    response = _attach(as_person(world["people"]["tam"]), world, {"article_id": article.pk})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "tam.article_not_visible" and "article_id" in error["fields"]
    assert not LibraryItem.objects.exists()


def test_given_an_unknown_article_id_then_422_naming_the_field(world, as_person):
    response = _attach(as_person(world["people"]["tam"]), world, {"article_id": 987654})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {"article_id": "unknown"}


def test_given_neither_steps_nor_an_article_then_the_title_is_required(world, as_person):
    response = _attach(as_person(world["people"]["tam"]), world, {})
    assert response.status_code == 422, response.content
    assert "title" in response.json()["error"]["fields"]
    assert not LibraryItem.objects.exists()


def test_given_the_guide_page_when_the_tam_gives_an_article_number_then_it_is_attached(world, as_person):
    article = _article(world, title="Clear the cache")
    http = as_person(world["people"]["tam"])
    response = http.post(f"/tam/tickets/{world['ticket'].pk}/guide/", {"article_id": str(article.pk)})
    assert response.status_code == 302, response.content
    assert LibraryItem.objects.get().article == article
    private = _article(world, title="Not yours", visibility=Visibility.CLIENT, client=world["other"])
    refused = http.post(f"/tam/tickets/{world['ticket'].pk}/guide/", {"article_id": str(private.pk)})
    assert refused.status_code == 200 and b"cannot read the article" in refused.content
    assert LibraryItem.objects.count() == 1


def test_given_both_steps_and_an_article_then_422_and_nothing_attached(world, as_person):
    # Given a published article and a TAM who also typed steps
    article = _article(world, title="Clear the cache")
    http = as_person(world["people"]["tam"])
    # When both are sent, through the API and the guide page
    response = _attach(http, world, {"article_id": article.pk, "title": "Cache", "body": "Step 1: close the app."})
    page = http.post(f"/tam/tickets/{world['ticket'].pk}/guide/",
                     {"article_id": str(article.pk), "body": "Step 1: close the app."})
    # Then both are refused (the steps would silently not be part of the guide) and nothing is attached
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "tam.steps_or_article"
    assert page.status_code == 200 and b"not both" in page.content
    assert not LibraryItem.objects.exists()
