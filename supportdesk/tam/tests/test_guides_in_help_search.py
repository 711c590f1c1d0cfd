"""R12 + R22: a TAM's resolution guide is a help center article, so the help center's search finds it,
for the people who may read it and nobody else."""

from __future__ import annotations

from supportdesk.tam import library


def test_a_private_guide_is_found_by_its_clients_people_only(world, as_person):
    # Given a private resolution guide attached by the client's TAM
    item = library.attach_guide(world["people"]["tam"], world["ticket"], title="Speed up reports",
                                body="Rebuild the zanzibar index overnight")
    # When the client's user searches the help center (pages and API)
    own = as_person(world["people"]["client_user"])
    page = own.get("/help/?q=zanzibar").content.decode()
    hits = own.get("/api/v1/help/articles?q=zanzibar").json()
    # Then the guide is found; another client's admin finds nothing
    assert "Speed up reports" in page
    assert [a["slug"] for a in hits["items"]] == [item.article.slug]
    foreign = as_person(world["people"]["foreign_admin"])
    assert foreign.get("/api/v1/help/articles?q=zanzibar").json() == {"items": [], "count": 0}
    assert "Speed up reports" not in foreign.get("/help/?q=zanzibar").content.decode()


def test_a_public_guide_is_found_by_anyone(world, client):
    library.attach_guide(world["people"]["tam"], world["ticket"], title="Faster month end",
                         body="Close the period before the zanzibar export", private=False)
    assert "Faster month end" in client.get("/help/?q=zanzibar").content.decode()
