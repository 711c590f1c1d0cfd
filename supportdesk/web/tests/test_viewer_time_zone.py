"""Pages show instants in the signed-in person's own zone (User.timezone) and say which zone that is; anonymous
pages use the vendor's zone. Due instants carry the zone's abbreviation, so a DST-night time is unambiguous."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

pytestmark = pytest.mark.django_db


def test_an_agent_in_london_reads_the_queue_and_ticket_in_london_time(clock, as_person):
    # Given a Premium severity 2 ticket opened Monday 30 March 2026 at 13:00 UTC (09:00 Toronto, 14:00 London
    # summer time), due two hours later (15:00 UTC)
    clock.at(datetime(2026, 3, 30, 13, 0, tzinfo=UTC))
    ticket = TicketFactory(requester=ClientUserFactory(client=premium_client()), severity=2, subject="Slow")
    agent = StaffFactory(staff_roles=["agent"], timezone_name="Europe/London")
    http = as_person(agent)
    # When an agent whose zone is London opens the queue and the ticket
    queue = http.get("/console/").content.decode()
    page = http.get(f"/console/tickets/{ticket.pk}/").content.decode()
    # Then the due instant reads 16:00 BST (it read 11:00, Toronto's time, with no zone)
    assert "30 Mar 16:00 BST" in queue and "30 Mar 11:00" not in queue
    # and the ticket's opening time and its clock are in London time too, and the page says whose zone that is
    assert "30 Mar 2026, 14:00" in page and "Mon 30 Mar 2026, 16:00 BST" in page
    assert "Times in Europe/London (your profile's zone)" in page


def test_anonymous_pages_say_they_use_the_vendors_zone(db, client):
    page = client.get("/help/").content.decode()
    assert "Times in America/Toronto" in page
