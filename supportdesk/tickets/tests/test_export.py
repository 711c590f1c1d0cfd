"""Ticket export (CSV): the same authorization policy as lists, details and search."""

from __future__ import annotations

import csv
import io

import pytest

from supportdesk.factories import TicketFactory


def exported(http, **params) -> list[dict]:  # noqa: ANN001, ANN003
    response = http.get("/api/v1/tickets/export.csv", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("role,sees", [
    ("client_user", {"own"}), ("colleague", {"colleague"}), ("client_admin", {"own", "colleague"}),
    ("designated", {"own", "colleague"}), ("foreigner", {"foreign"}), ("agent", {"own", "colleague", "foreign"}),
    ("tam", {"own", "colleague", "foreign"}), ("billing", set()),
])
def test_given_a_role_when_exporting_then_exactly_the_tickets_the_list_shows(world, as_person, role, sees):
    http = as_person(world["people"][role])
    rows = exported(http)
    expected = {str(world["tickets"][name].pk) for name in sees}
    assert {row["number"] for row in rows} == expected
    listed = http.get("/api/v1/tickets/", {"sort": "newest"}).json()["items"]
    assert {str(t["id"]) for t in listed} == expected


def test_export_takes_the_lists_filters_and_search_never_reveals_foreign_tickets(world, as_person):
    client_view = as_person(world["people"]["client_admin"])
    assert [r["subject"] for r in exported(client_view, q="secrets")] == []
    assert [r["subject"] for r in exported(client_view, q="calendars")] == ["Colleague ticket about calendars"]
    assert exported(client_view, status="solved") == []
    bad = client_view.get("/api/v1/tickets/export.csv", {"status": "frob"})
    assert bad.status_code == 422


def test_export_is_for_signed_in_people_only(world, as_person):
    assert as_person(None).get("/api/v1/tickets/export.csv").status_code == 401


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted(world, as_person):
    ticket = TicketFactory(requester=world["people"]["client_user"], subject="=HYPERLINK(\"http://evil\")")
    rows = exported(as_person(world["people"]["agent"]))
    row = next(r for r in rows if r["number"] == str(ticket.pk))
    assert row["subject"] == "'=HYPERLINK(\"http://evil\")"


def test_given_the_lists_assignee_filter_when_exporting_then_the_export_narrows_the_same_way(world, as_person):
    # Given an agent with one ticket assigned to them
    from supportdesk.tickets import actions

    agent = world["people"]["agent"]
    mine = world["tickets"]["colleague"]
    actions.update_ticket(agent, mine, expected_version=mine.version, source="api", assignee=agent.pk)
    http = as_person(agent)
    # When they export "mine", "unassigned" and a bad value
    assigned_to_me = exported(http, assignee="me")
    unassigned = exported(http, assignee="none")
    bad = http.get("/api/v1/tickets/export.csv", {"assignee": "someone"})
    # Then each export holds what the list shows for the same filter, and nonsense is refused as by the list
    listed = {str(t["id"]) for t in http.get("/api/v1/tickets/", {"assignee": "me"}).json()["items"]}
    assert {r["number"] for r in assigned_to_me} == listed == {str(mine.pk)}
    assert str(mine.pk) not in {r["number"] for r in unassigned} and len(unassigned) == 2
    assert bad.status_code == 422


@pytest.mark.parametrize("role,page", [("client_admin", "/portal/"), ("agent", "/console/search/")])
def test_given_a_search_on_a_page_then_it_links_the_csv_export_of_the_same_search(world, as_person, role, page):
    # Given a person searching their tickets on the portal or in the console
    http = as_person(world["people"][role])
    # When the page shows the results
    body = http.get(page, {"q": "colleague & calendars"}).content.decode()
    # Then it links the export of that search, which the policy narrows as the page
    assert 'href="/api/v1/tickets/export.csv?q=colleague%20%26%20calendars"' in body
    assert [r["subject"] for r in exported(http, q="colleague & calendars")] == ["Colleague ticket about calendars"]


@pytest.mark.parametrize("tab,link", [("?who=mine", "open_only=true&amp;assignee=me"),
                                      ("?queue=priority", "open_only=true&amp;queue=priority"), ("", "open_only=true\"")])
def test_given_a_queue_tab_then_it_links_the_csv_export_of_that_tab(world, as_person, tab, link):
    body = as_person(world["people"]["agent"]).get(f"/console/{tab}").content.decode()
    assert f'href="/api/v1/tickets/export.csv?{link}' in body
