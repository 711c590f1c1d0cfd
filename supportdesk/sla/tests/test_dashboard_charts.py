"""Issue 8: the manager dashboard shows attainment per severity, client and month with charts, and volume by
channel; each chart is an SVG the dashboard embeds, for managers only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.factories import TicketFactory
from supportdesk.sla import queries
from supportdesk.sla.sweep import sweep
from supportdesk.tickets import actions

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)


@pytest.fixture
def two_clients(clock, staff):  # noqa: ANN001, ANN201
    """April 2026: Hale & Partners answered one of two in time; Quill LLP its one, from email."""
    clock.at(MONDAY_10)
    hale, quill = client_with("premium", name="Hale & Partners"), client_with("premium", name="Quill LLP")
    met = TicketFactory(requester=requester_of(hale), severity=3)
    TicketFactory(requester=requester_of(hale), severity=3)
    quill_ticket = TicketFactory(requester=requester_of(quill), severity=3, channel="email")
    clock.at(MONDAY_10 + timedelta(minutes=30))
    actions.add_message(staff["agent"], met, body="On it", kind="public")
    actions.add_message(staff["agent"], quill_ticket, body="On it", kind="public")
    clock.at(utc(2026, 4, 6, 18, 10))
    sweep()  # the second Hale ticket breaches
    return {"hale": hale, "quill": quill}


def test_attainment_by_client_sums_every_severity_and_month(two_clients, staff):
    rows = queries.attainment(staff["manager"], months=12)
    assert sorted(queries.attainment_by_client(rows)) == [("Hale & Partners", 50.0, 2), ("Quill LLP", 100.0, 1)]


def test_given_a_period_with_data_when_a_manager_opens_the_dashboard_then_three_charts_show_it(two_clients, staff,
                                                                                              as_person):
    http = as_person(staff["manager"])
    # When the manager opens the dashboard for the last 12 months
    html = http.get("/dashboard/?months=12").content.decode()
    # Then it embeds the month/severity, client and channel charts for that period
    for chart in ("attainment", "clients", "volume"):
        assert f'src="/dashboard/{chart}.svg?months=12"' in html
    # And each chart draws the period's data
    clients = http.get("/dashboard/clients.svg?months=12")
    assert clients["Content-Type"] == "image/svg+xml"
    svg = clients.content.decode()
    assert "Hale &amp; Partners (2)" in svg and "Quill LLP (1)" in svg
    volume = http.get("/dashboard/volume.svg?months=12").content.decode()
    assert "<svg" in volume and "email" in volume and "No tickets in this period" not in volume


def test_charts_of_an_empty_period_say_so(staff, as_person, clock):
    clock.at(MONDAY_10)
    http = as_person(staff["manager"])
    assert "No decided clocks yet" in http.get("/dashboard/clients.svg").content.decode()
    assert "No tickets in this period" in http.get("/dashboard/volume.svg").content.decode()


@pytest.mark.parametrize("role,status", [("manager", 200), ("sysadmin", 200), ("agent", 404), ("billing", 404)])
def test_the_charts_are_for_managers_only(staff, as_person, role, status):
    http = as_person(staff[role])
    for url in ("/dashboard/clients.svg", "/dashboard/volume.svg"):
        assert http.get(url).status_code == status, url
