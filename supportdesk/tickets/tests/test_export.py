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
