"""The workspace pages its clients before building cards: one page costs the same queries for 12 or 30 clients."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supportdesk.factories import ClientFactory, premium_client
from supportdesk.tam import queries


def _more_premium_clients(start: int, stop: int) -> None:
    for n in range(start, stop):
        premium_client(name=f"Firm {n:02d}")


def _queries_for(http, url: str) -> int:  # noqa: ANN001
    http.get(url)  # warm: the per-process entitlement cache is what makes eligibility cheap
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_given_12_eligible_clients_when_a_manager_asks_page_2_then_it_holds_the_last_2_cards_in_order(
        world, as_person):
    _more_premium_clients(0, 10)
    ClientFactory(name="Aaa Firm without TAM")  # neither entitled nor assigned: not in the workspace
    manager = world["people"]["manager"]
    every = [client.name for client in queries.workspace_clients(manager, timezone.now())]
    http = as_person(manager)

    first = http.get("/api/v1/tam/workspace", {"page_size": 10}).json()
    second = http.get("/api/v1/tam/workspace", {"page": 2, "page_size": 10}).json()

    assert first["count"] == second["count"] == 12 and len(first["items"]) == 10
    assert [c["client"] for c in second["items"]] == ["Other Firm", "Own Firm"]
    assert [c["client"] for c in first["items"] + second["items"]] == every == sorted(every)
    assert set(second["items"][0]) == {"client_id", "client", "entitled", "open_tickets", "at_risk_tickets",
                                       "upcoming_calls", "upcoming_visits", "live_upgrades", "installed_version"}


def test_given_an_assigned_client_without_entitlement_when_listed_then_it_is_in_the_workspace(world):
    from supportdesk.accounts.actions import assign_tam

    lapsed = ClientFactory(name="Lapsed Firm")
    assign_tam(None, client=lapsed, tam=world["people"]["tam"])

    clients = queries.workspace_clients(world["people"]["tam"], timezone.now())
    card = queries.client_card(lapsed, timezone.now())

    assert [c.name for c in clients] == ["Lapsed Firm", "Own Firm"]
    assert card.entitled is False and card.client == lapsed


def test_given_more_clients_when_a_manager_asks_one_api_page_then_the_queries_do_not_grow(world, as_person):
    http = as_person(world["people"]["manager"])
    _more_premium_clients(0, 10)
    with_12 = _queries_for(http, "/api/v1/tam/workspace?page_size=10")
    _more_premium_clients(10, 28)
    with_30 = _queries_for(http, "/api/v1/tam/workspace?page_size=10")

    assert http.get("/api/v1/tam/workspace?page_size=10").json()["count"] == 30
    assert with_30 == with_12


def test_given_more_clients_when_a_manager_opens_the_page_then_the_queries_do_not_grow(world, as_person):
    http = as_person(world["people"]["manager"])
    _more_premium_clients(0, 10)
    with_12 = _queries_for(http, "/tam/")
    _more_premium_clients(10, 28)
    with_30 = _queries_for(http, "/tam/")

    assert with_30 == with_12


def test_given_12_clients_when_a_manager_opens_page_2_then_it_shows_the_last_2_cards_and_the_pager(
        world, as_person):
    _more_premium_clients(0, 10)

    html = as_person(world["people"]["manager"]).get("/tam/?page=2").content.decode()

    assert html.count('class="card tam-card"') == 2 and "Other Firm" in html and "Own Firm" in html
    assert "Firm 09" not in html and "Page 2 of 2 · 12 clients" in html and "?page=1" in html
